import { randomUUID } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import { DEFAULT_AUDIT_CHAIN_COUNT } from '../audit/audit-chain';
import { appendAuditRecords, type AuditRecord } from '../audit/audit-writer';
import type { ActorContext, AuditEntry } from '../audit/audit-entry';
import type { DomainEvent } from '../events/event-payloads';
import { EXCHANGE_OF, type RoutingKey } from '../events/routing-keys';

/** Channel the outbox relay LISTENs on, so it publishes right after commit instead of polling. */
export const OUTBOX_NOTIFY_CHANNEL = 'outbox_events';

/** What a unit of work collects besides its own entity writes. */
export class ChangeSet {
  readonly auditRecords: AuditRecord[] = [];
  readonly events: DomainEvent[] = [];

  constructor(
    readonly manager: EntityManager,
    readonly actor: ActorContext,
  ) {}

  /** An audit row in the name of this unit of work's actor. */
  audit(entry: AuditEntry): void {
    this.auditRecords.push({ actor: this.actor, entry });
  }

  /** An audit row in the name of another actor: a batch applies the messages of many actors at once. */
  auditAs(actor: ActorContext, entry: AuditEntry): void {
    this.auditRecords.push({ actor, entry });
  }

  publish<K extends RoutingKey>(event: DomainEvent<K>): void {
    this.events.push(event as DomainEvent);
  }
}

/**
 * The one write path: a state change, its audit rows and its outbound events commit in a single
 * transaction or not at all. A failed audit insert rolls the change back (fail closed).
 */
export class UnitOfWork {
  constructor(
    private readonly dataSource: DataSource,
    /** AUDIT_CHAIN_COUNT: how many audit hash chains this process spreads its appends over. */
    private readonly auditChainCount = DEFAULT_AUDIT_CHAIN_COUNT,
  ) {}

  async run<T>(actor: ActorContext, work: (changes: ChangeSet) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(async (manager) => {
      const changes = new ChangeSet(manager, actor);
      const result = await work(changes);
      if (changes.events.length > 0) {
        const params: unknown[] = [];
        const tuples = changes.events.map((event) => {
          params.push(randomUUID(), EXCHANGE_OF[event.routingKey], event.routingKey, JSON.stringify(event.payload));
          const n = params.length;
          return `($${n - 3}, $${n - 2}, $${n - 1}, $${n}::jsonb)`;
        });
        await manager.query(`INSERT INTO outbox_events (id, exchange, routing_key, payload) VALUES ${tuples.join(', ')}`, params);
        await manager.query('SELECT pg_notify($1, $2)', [OUTBOX_NOTIFY_CHANNEL, '']);
      }
      // Last, so the chain lock is held only for the rest of this transaction.
      await appendAuditRecords(manager, changes.auditRecords, this.auditChainCount);
      return result;
    });
  }
}
