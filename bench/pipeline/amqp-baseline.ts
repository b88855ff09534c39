import { connect, type ConfirmChannel } from 'amqplib';
import { randomUUID } from 'node:crypto';

export interface AmqpBaseline {
  messages: number;
  prefetch: number;
  /** Most publishes awaiting their confirm at once (the relay publishes a batch of 100 at a time). */
  publishWindow: number;
  bodyBytes: number;
  publishPerSecond: number;
  /** messages ÷ (last ack − first delivery). */
  consumePerSecond: number;
  /** messages ÷ (last ack − first publish): publish and consume running together. */
  endToEndPerSecond: number;
}

export interface AmqpBaselineOptions {
  url: string;
  queue: string;
  messages?: number;
  prefetch: number;
  publishWindow?: number;
}

/**
 * Raw amqplib on a quorum queue, with the pipeline's delivery guarantees and nothing else: a
 * confirm channel, persistent messages, manual ack, the worker's prefetch. Publisher and consumer
 * have their own connections and run at the same time.
 */
export async function runAmqpBaseline(options: AmqpBaselineOptions): Promise<AmqpBaseline> {
  const messages = options.messages ?? 20_000;
  const window = options.publishWindow ?? 100;
  const body = Buffer.from(
    JSON.stringify({
      installationId: randomUUID(),
      occurredAt: new Date().toISOString(),
      actor: { type: 'user', id: 'bench-engineer', requestId: randomUUID() },
      receiptId: randomUUID(),
      credentialVersionId: randomUUID(),
      trigger: 'submitted',
    }),
  );
  const publisherConnection = await connect(options.url, { noDelay: true }); // as the apps connect
  const consumerConnection = await connect(options.url, { noDelay: true });
  try {
    const publisher = await publisherConnection.createConfirmChannel();
    await publisher.deleteQueue(options.queue).catch(() => undefined);
    await publisher.assertQueue(options.queue, { durable: true, arguments: { 'x-queue-type': 'quorum' } });
    const consumer = await consumerConnection.createChannel();
    await consumer.prefetch(options.prefetch);

    let consumed = 0;
    let firstDelivery = 0;
    let lastAck = 0;
    const allConsumed = new Promise<void>((resolve) => {
      void consumer.consume(
        options.queue,
        (message) => {
          if (!message) return;
          if (consumed === 0) firstDelivery = Date.now();
          consumer.ack(message);
          consumed++;
          if (consumed === messages) {
            lastAck = Date.now();
            resolve();
          }
        },
        { noAck: false },
      );
    });

    const started = Date.now();
    await publishAll(publisher, options.queue, body, messages, window);
    const published = Date.now();
    await allConsumed;
    await publisher.deleteQueue(options.queue);
    const rate = (ms: number) => Math.round(messages / (ms / 1000));
    return {
      messages,
      prefetch: options.prefetch,
      publishWindow: window,
      bodyBytes: body.length,
      publishPerSecond: rate(published - started),
      consumePerSecond: rate(lastAck - firstDelivery),
      endToEndPerSecond: rate(lastAck - started),
    };
  } finally {
    await publisherConnection.close().catch(() => undefined);
    await consumerConnection.close().catch(() => undefined);
  }
}

/** Keeps `window` publishes awaiting confirms; each resolves on its own ack (rejects on nack). */
async function publishAll(channel: ConfirmChannel, queue: string, body: Buffer, count: number, window: number): Promise<void> {
  let next = 0;
  const one = (): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      channel.sendToQueue(queue, body, { persistent: true, messageId: randomUUID(), contentType: 'application/json' }, (error: unknown) =>
        error ? reject(new Error('nacked')) : resolve(),
      );
    });
  const lane = async (): Promise<void> => {
    while (next < count) {
      next++;
      await one();
    }
  };
  await Promise.all(Array.from({ length: window }, lane));
}
