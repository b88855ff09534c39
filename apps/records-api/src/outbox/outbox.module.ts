import { Injectable, Logger, Module, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import {
  AmqpConnection,
  EnvironmentVariables,
  MessagingSettings,
  OutboxCommits,
  OutboxPublisher,
  OutboxRelay,
  Topology,
} from '@app/common';
import { BrokerModule } from '../broker/broker.module';

/** Publishes what the API's transactions wrote to the outbox; stops before the pool closes. */
@Injectable()
export class OutboxRelayService implements OnApplicationBootstrap, OnModuleDestroy {
  readonly relay: OutboxRelay;

  constructor(
    @InjectDataSource() dataSource: DataSource,
    connection: AmqpConnection,
    topology: Topology,
    env: EnvironmentVariables,
    commits: OutboxCommits,
    private readonly settings: MessagingSettings,
  ) {
    const logger = new Logger('OutboxRelay');
    const publisher = new OutboxPublisher(connection, topology, 'records-api', logger);
    this.relay = new OutboxRelay(dataSource, publisher, { listenUrl: env.DATABASE_URL, commits }, logger);
  }

  async onApplicationBootstrap(): Promise<void> {
    if (this.settings.MESSAGING_ENABLED) await this.relay.start();
  }

  async onModuleDestroy(): Promise<void> {
    await this.relay.stop();
  }
}

@Module({ imports: [BrokerModule], providers: [OutboxRelayService], exports: [OutboxRelayService] })
export class OutboxModule {}
