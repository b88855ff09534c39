export * from './batcher';
export * from './amqp-connection';
export * from './inbox';
export * from './messaging-logger';
export * from './messaging-settings';
export * from './queue-consumer';
export * from './topology';
export * from './dead-letter-queue';
