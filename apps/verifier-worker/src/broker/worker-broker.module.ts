import {
  Global,
  Injectable,
  Logger,
  Module,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
  type OnModuleDestroy,
} from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import {
  AmqpConnection,
  brokerConnectionName,
  EnvironmentVariables,
  MessagingSettings,
  OutboxCommits,
  OutboxPublisher,
  OutboxRelay,
  Topology,
} from '@app/common';

/** The worker's outbox relay: its receipts' events leave through its own outbox rows. */
@Injectable()
export class WorkerOutboxRelay implements OnApplicationBootstrap, OnModuleDestroy, OnApplicationShutdown {
  readonly relay: OutboxRelay;

  constructor(
    @InjectDataSource() dataSource: DataSource,
    private readonly connection: AmqpConnection,
    topology: Topology,
    env: EnvironmentVariables,
    commits: OutboxCommits,
  ) {
    const logger = new Logger('OutboxRelay');
    this.relay = new OutboxRelay(
      dataSource,
      new OutboxPublisher(connection, topology, 'verifier-worker', logger),
      { listenUrl: env.DATABASE_URL, commits },
      logger,
    );
  }

  async onApplicationBootstrap(): Promise<void> {
    this.connection.start();
    await this.relay.start();
  }

  async onModuleDestroy(): Promise<void> {
    await this.relay.stop();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.connection.close();
  }
}

@Global()
@Module({
  providers: [
    { provide: Topology, inject: [MessagingSettings], useFactory: (settings: MessagingSettings) => Topology.fromSettings(settings) },
    {
      provide: AmqpConnection,
      inject: [EnvironmentVariables, MessagingSettings],
      useFactory: (env: EnvironmentVariables, settings: MessagingSettings) =>
        new AmqpConnection(env.RABBITMQ_URL, new Logger('Broker'), brokerConnectionName('verifier-worker', settings.AMQP_PREFIX)),
    },
    WorkerOutboxRelay,
  ],
  exports: [Topology, AmqpConnection, WorkerOutboxRelay],
})
export class WorkerBrokerModule {}
