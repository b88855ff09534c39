import type { ChannelModel, ConfirmChannel, Message } from 'amqplib';
import type { AmqpConnection, ConnectionSetup } from '../messaging/amqp-connection';
import { errorMessage, type MessagingLogger } from '../messaging/messaging-logger';
import type { Topology } from '../messaging/topology';

const CONFIRM_TIMEOUT_MS = 10_000;

export interface OutboundMessage {
  id: string;
  exchange: string;
  routingKey: string;
  payload: unknown;
  createdAt: Date;
}

/**
 * Publishes with confirms, persistent and mandatory. Confirms also cover messages that reached no
 * queue (RELIABILITY.md), so a basic.return (which the broker sends before the ack) turns the
 * publish into a failure.
 */
export class OutboxPublisher {
  private channel: ConfirmChannel | null = null;
  private readonly returned = new Set<string>();
  private readonly setup: ConnectionSetup = (model) => this.open(model);

  constructor(
    private readonly connection: AmqpConnection,
    private readonly topology: Topology,
    private readonly appId: string,
    private readonly logger: MessagingLogger,
  ) {}

  get ready(): boolean {
    return this.channel !== null;
  }

  async start(): Promise<void> {
    await this.connection.onConnected(this.setup);
  }

  async stop(): Promise<void> {
    this.connection.removeSetup(this.setup);
    const channel = this.channel;
    this.channel = null;
    if (channel) await channel.close().catch(() => undefined);
  }

  /** Resolves when the broker confirmed a routed message; rejects on nack, return or channel loss. */
  publish(message: OutboundMessage): Promise<void> {
    const channel = this.channel;
    if (!channel) return Promise.reject(new Error('no broker channel'));
    return new Promise<void>((resolve, reject) => {
      // A blocked broker (memory or disk alarm) never confirms: give up so the relay releases its rows.
      const timer = setTimeout(() => reject(new Error(`no confirm for ${message.id} within ${CONFIRM_TIMEOUT_MS} ms`)), CONFIRM_TIMEOUT_MS);
      const content = Buffer.from(JSON.stringify(message.payload), 'utf8');
      const options = {
        persistent: true,
        mandatory: true,
        messageId: message.id,
        type: message.routingKey,
        contentType: 'application/json',
        timestamp: Math.floor(message.createdAt.getTime() / 1000),
        appId: this.appId,
      };
      try {
        channel.publish(this.topology.exchangeFor(message.exchange), message.routingKey, content, options, (error: unknown) => {
          clearTimeout(timer);
          const wasReturned = this.returned.delete(message.id);
          if (error) return reject(new Error(`broker nacked ${message.id}`));
          if (wasReturned) return reject(new Error(`unroutable: no queue bound for ${message.routingKey}`));
          resolve();
        });
      } catch (error) {
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      }
    });
  }

  private async open(model: ChannelModel): Promise<void> {
    const channel = await model.createConfirmChannel();
    channel.on('error', (error: Error) => this.logger.warn(`outbox publisher: channel error: ${errorMessage(error)}`));
    channel.on('return', (returned: Message) => {
      if (returned.properties.messageId) this.returned.add(String(returned.properties.messageId));
    });
    channel.on('close', () => {
      if (this.channel === channel) this.channel = null;
    });
    await this.topology.declare(channel);
    this.channel = channel;
  }
}
