import { Injectable, Logger, Module, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { AmqpConnection, isDatabaseUnavailable, MessagingSettings, QueueConsumer, Topology } from '@app/common';
import { BrokerModule } from '../broker/broker.module';
import { STATUS_BATCH_MAX, StatusUpdatesService } from './status-updates.service';

/** Consumes `installations.status`; drains in-flight messages before the pool closes. */
@Injectable()
export class StatusConsumer implements OnApplicationBootstrap, OnModuleDestroy {
  readonly consumer: QueueConsumer;

  constructor(
    connection: AmqpConnection,
    topology: Topology,
    updates: StatusUpdatesService,
    private readonly settings: MessagingSettings,
  ) {
    this.consumer = new QueueConsumer(
      connection,
      topology,
      topology.statusUpdates,
      (delivery) => updates.handle(delivery),
      // Enough messages in hand to fill a batch while the previous one commits.
      { prefetch: STATUS_BATCH_MAX, isUnavailable: isDatabaseUnavailable },
      new Logger('StatusConsumer'),
    );
  }

  async onApplicationBootstrap(): Promise<void> {
    if (this.settings.MESSAGING_ENABLED) await this.consumer.start();
  }

  async onModuleDestroy(): Promise<void> {
    await this.consumer.stop();
  }
}

@Module({ imports: [BrokerModule], providers: [StatusUpdatesService, StatusConsumer], exports: [StatusConsumer] })
export class StatusModule {}
