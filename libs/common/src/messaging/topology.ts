import type { Channel } from 'amqplib';
import { EXCHANGES, RoutingKey, type ExchangeName } from '../events/routing-keys';
import type { MessagingSettings } from './messaging-settings';

/** One consumer's work queue and the routing keys it takes. */
export interface WorkQueue {
  name: string;
  exchange: string;
  bindings: readonly string[];
}

/**
 * Every broker name, derived from one prefix. Work queues are quorum queues with a delivery
 * limit and at-least-once dead-lettering; each has retry queues (TTL, then dead-lettered back to
 * it through the default exchange) and poison or exhausted messages end in one dead-letter queue.
 */
export class Topology {
  readonly exchanges: { events: string; status: string; deadLetter: string };
  readonly verificationRequests: WorkQueue;
  readonly statusUpdates: WorkQueue;
  readonly deadLetters: string;
  /**
   * Events no service consumes yet (installation created/updated/decommissioned, credential
   * submitted). Bound so that they are routable (a return stays a failure for anything else, R4)
   * and kept for a week, capped, for the consumers to come; drop a binding when one exists.
   */
  readonly unconsumedEvents: WorkQueue;
  readonly deliveryLimit: number;
  readonly retryDelaysMs: readonly number[];

  constructor(
    readonly prefix: string,
    settings: Pick<MessagingSettings, 'AMQP_DELIVERY_LIMIT'> & { retryDelaysMs(): number[] },
  ) {
    this.exchanges = {
      events: prefix + EXCHANGES.events,
      status: prefix + EXCHANGES.status,
      deadLetter: `${prefix}installations.dead-letter`,
    };
    this.verificationRequests = {
      name: `${prefix}verifier.verification-requests`,
      exchange: this.exchanges.events,
      bindings: [RoutingKey.VerificationRequested],
    };
    this.statusUpdates = {
      name: `${prefix}records-api.status`,
      exchange: this.exchanges.status,
      bindings: [RoutingKey.VerificationCompleted, RoutingKey.MilestoneReached],
    };
    this.deadLetters = `${prefix}installations.dead-letters`;
    this.unconsumedEvents = {
      name: `${prefix}installations.events.unconsumed`,
      exchange: this.exchanges.events,
      bindings: [
        RoutingKey.InstallationCreated,
        RoutingKey.InstallationUpdated,
        RoutingKey.InstallationDecommissioned,
        RoutingKey.CredentialSubmitted,
      ],
    };
    this.deliveryLimit = settings.AMQP_DELIVERY_LIMIT;
    this.retryDelaysMs = settings.retryDelaysMs();
  }

  static fromSettings(settings: MessagingSettings): Topology {
    return new Topology(settings.AMQP_PREFIX, settings);
  }

  /** The broker exchange an outbox row (which stores the unprefixed name) is published to. */
  exchangeFor(name: ExchangeName | string): string {
    return this.prefix + name;
  }

  workQueues(): WorkQueue[] {
    return [this.verificationRequests, this.statusUpdates];
  }

  /**
   * The retry queue for `attempt`: its delay, or, when a partner asked to wait (Retry-After), the
   * first longer one that waits at least `atLeastMs` (the longest when none does). Named by delay so
   * that a changed delay creates a new queue instead of a declaration conflict.
   */
  retryQueue(queue: string, attempt: number, atLeastMs = 0): string {
    const delays = this.retryDelaysMs;
    let index = Math.min(attempt, delays.length - 1);
    while (index < delays.length - 1 && delays[index] < atLeastMs) index++;
    return `${queue}.retry.${delays[index]}ms`;
  }

  /** Idempotent: every app declares the whole topology at start and after each reconnect. */
  async declare(channel: Channel): Promise<void> {
    await channel.assertExchange(this.exchanges.events, 'topic', { durable: true });
    await channel.assertExchange(this.exchanges.status, 'topic', { durable: true });
    await channel.assertExchange(this.exchanges.deadLetter, 'topic', { durable: true });
    await channel.assertQueue(this.deadLetters, { durable: true, arguments: { 'x-queue-type': 'quorum' } });
    await channel.bindQueue(this.deadLetters, this.exchanges.deadLetter, '#');
    await channel.assertQueue(this.unconsumedEvents.name, {
      durable: true,
      arguments: { 'x-queue-type': 'quorum', 'x-max-length': 100_000, 'x-overflow': 'drop-head', 'x-message-ttl': 7 * 24 * 3600 * 1000 },
    });
    for (const key of this.unconsumedEvents.bindings)
      await channel.bindQueue(this.unconsumedEvents.name, this.unconsumedEvents.exchange, key);
    for (const queue of this.workQueues()) {
      await channel.assertQueue(queue.name, {
        durable: true,
        arguments: {
          'x-queue-type': 'quorum',
          'x-delivery-limit': this.deliveryLimit,
          'x-dead-letter-exchange': this.exchanges.deadLetter,
          // Without these a quorum queue drops dead letters when the target is unavailable.
          'x-dead-letter-strategy': 'at-least-once',
          'x-overflow': 'reject-publish',
        },
      });
      for (const key of queue.bindings) await channel.bindQueue(queue.name, queue.exchange, key);
      for (const delay of new Set(this.retryDelaysMs)) {
        await channel.assertQueue(`${queue.name}.retry.${delay}ms`, {
          durable: true,
          arguments: {
            'x-queue-type': 'quorum',
            'x-message-ttl': delay,
            'x-dead-letter-exchange': '',
            'x-dead-letter-routing-key': queue.name,
            'x-dead-letter-strategy': 'at-least-once',
            'x-overflow': 'reject-publish',
          },
        });
      }
    }
  }

  /** Removes everything under this prefix (test runs clean up after themselves). */
  async remove(channel: Channel): Promise<void> {
    for (const queue of this.workQueues()) {
      for (const delay of new Set(this.retryDelaysMs)) await channel.deleteQueue(`${queue.name}.retry.${delay}ms`);
      await channel.deleteQueue(queue.name);
    }
    await channel.deleteQueue(this.deadLetters);
    await channel.deleteQueue(this.unconsumedEvents.name);
    for (const exchange of Object.values(this.exchanges)) await channel.deleteExchange(exchange);
  }
}
