import { randomUUID } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import { DEFAULT_AUDIT_CHAIN_COUNT } from '../audit/audit-chain';
import { appendAuditRecords, type AuditRecord, type CompanionStatement } from '../audit/audit-writer';
import type { ActorContext, AuditEntry } from '../audit/audit-entry';
import type { DomainEvent } from '../events/event-payloads';
import { EXCHANGE_OF, type RoutingKey } from '../events/routing-keys';
import { OUTBOX_HANDOFF_GRACE_MS, type OutboxCommits } from '../outbox/outbox-commits';
import type { OutboundMessage } from '../outbox/outbox-publisher';

/**
 * Channel the outbox relays LISTEN on: a NOTIFY there makes them scan for pending rows at once
 * (tools and scripts that write outbox rows directly use it; the write path hands its rows to its
 * own process's relay through OutboxCommits instead).
 */
export const OUTBOX_NOTIFY_CHANNEL = 'outbox_events';

/**
 * A unit of work's outbox rows in one fixed statement, however many. Sent as part of the audit
 * INSERT (appendAuditRecords' companion): one round trip for both, prepared once per connection.
 */
const INSERT_OUTBOX_ROWS = {
  name: 'outbox_rows',
  text: `INSERT INTO outbox_events (id, exchange, routing_key, payload, available_at)
   SELECT id, exchange, routing_key, payload, now() + make_interval(secs => $5::int / 1000.0)
     FROM unnest($1::uuid[], $2::text[], $3::text[], $4::jsonb[]) AS t(id, exchange, routing_key, payload)`,
};

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
    /** Where committed outbox rows are announced to this process's relay. */
    private readonly outboxCommits?: OutboxCommits,
  ) {}

  async run<T>(actor: ActorContext, work: (changes: ChangeSet) => Promise<T>): Promise<T> {
    const outbound: OutboundMessage[] = [];
    // Rows this process's relay will publish from memory are kept from the scans for a grace period.
    const handOff = this.outboxCommits?.subscribed ?? false;
    const result = await this.dataSource.transaction(async (manager) => {
      const changes = new ChangeSet(manager, actor);
      const value = await work(changes);
      let outboxRows: CompanionStatement | undefined;
      if (changes.events.length > 0) {
        const createdAt = new Date();
        const messages: OutboundMessage[] = changes.events.map((event) => ({
          id: randomUUID(),
          exchange: EXCHANGE_OF[event.routingKey],
          routingKey: event.routingKey,
          payload: event.payload,
          createdAt,
        }));
        outboxRows = {
          ...INSERT_OUTBOX_ROWS,
          values: [
            messages.map((m) => m.id),
            messages.map((m) => m.exchange),
            messages.map((m) => m.routingKey),
            messages.map((m) => JSON.stringify(m.payload)),
            handOff ? OUTBOX_HANDOFF_GRACE_MS : 0,
          ],
        };
        outbound.push(...messages);
      }
      // Last, so the chain lock is held only for the rest of this transaction; the outbox rows go
      // in the same statement as the audit rows.
      await appendAuditRecords(manager, changes.auditRecords, this.auditChainCount, outboxRows);
      return value;
    });
    // Committed: the relay may publish them now (a rollback above announces nothing).
    if (handOff) this.outboxCommits?.announce(outbound);
    return result;
  }
}
