import { Global, Injectable, Logger, Module, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import {
  AmqpConnection,
  brokerConnectionName,
  EnvironmentVariables,
  loadMessagingSettings,
  MessagingSettings,
  Topology,
} from '@app/common';

/** Connects when the app is up (the broker may be down at boot: the outbox keeps events meanwhile). */
@Injectable()
class BrokerLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(
    private readonly connection: AmqpConnection,
    private readonly settings: MessagingSettings,
  ) {}

  onApplicationBootstrap(): void {
    if (this.settings.MESSAGING_ENABLED) this.connection.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.connection.close();
  }
}

/** The API's one broker connection and the topology names, for the outbox relay and the status consumer. */
@Global()
@Module({
  providers: [
    { provide: MessagingSettings, useFactory: () => loadMessagingSettings() },
    { provide: Topology, inject: [MessagingSettings], useFactory: (settings: MessagingSettings) => Topology.fromSettings(settings) },
    {
      provide: AmqpConnection,
      inject: [EnvironmentVariables, MessagingSettings],
      useFactory: (env: EnvironmentVariables, settings: MessagingSettings) =>
        new AmqpConnection(env.RABBITMQ_URL, new Logger('Broker'), brokerConnectionName('records-api', settings.AMQP_PREFIX)),
    },
    BrokerLifecycle,
  ],
  exports: [MessagingSettings, Topology, AmqpConnection],
})
export class BrokerModule {}
