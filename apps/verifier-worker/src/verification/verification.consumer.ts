import { Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { AmqpConnection, isDatabaseUnavailable, QueueConsumer, Topology } from '@app/common';
import { VerifierSettings } from '../config/verifier-settings';
import { VerificationService } from './verification.service';

/**
 * Consumes verification requests with prefetch = the partner-call bound; drains the messages in
 * hand on shutdown (their acks follow their commits).
 */
@Injectable()
export class VerificationConsumer implements OnApplicationBootstrap, OnModuleDestroy {
  readonly consumer: QueueConsumer;

  constructor(connection: AmqpConnection, topology: Topology, service: VerificationService, settings: VerifierSettings) {
    this.consumer = new QueueConsumer(
      connection,
      topology,
      topology.verificationRequests,
      (delivery) => service.handle(delivery),
      { prefetch: settings.VERIFIER_CONCURRENCY, isUnavailable: isDatabaseUnavailable },
      new Logger('VerificationConsumer'),
    );
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.consumer.start();
  }

  async onModuleDestroy(): Promise<void> {
    await this.consumer.stop();
  }
}
