import type { EntityManager } from 'typeorm';
import { AuditEvent } from '../entities/audit-event.entity';
import { AUDIT_GENESIS_HASH, computeAuditHash } from './audit-chain';
import type { ActorContext, AuditEntry } from './audit-entry';

/** Advisory lock key serialising chain appends across every process and replica. */
export const AUDIT_CHAIN_LOCK_KEY = 4_242_001;

/**
 * Appends rows to the hash chain inside the caller's transaction. The transaction-scoped advisory
 * lock is held until commit, so concurrent writers (both apps, any number of replicas) append one
 * after another and the chain never forks; call it last in a transaction to keep the lock short.
 */
export async function appendAuditEvents(manager: EntityManager, actor: ActorContext, entries: AuditEntry[]): Promise<AuditEvent[]> {
  return appendAuditRecords(manager, entries.map((entry) => ({ actor, entry })));
}

/** One audit row to append, with its own actor; `occurredAt` when it happened earlier than the append (buffered access events). */
export interface AuditRecord {
  actor: ActorContext;
  entry: AuditEntry;
  occurredAt?: Date;
}

/** Like appendAuditEvents, for rows of several actors in one append (one lock, one INSERT). */
export async function appendAuditRecords(manager: EntityManager, records: AuditRecord[]): Promise<AuditEvent[]> {
  if (records.length === 0) return [];
  await manager.query('SELECT pg_advisory_xact_lock($1)', [AUDIT_CHAIN_LOCK_KEY]);
  // Head and seqs in one round trip: the lock is held until commit, so every round trip inside it
  // is paid by every concurrent writer. (The lock must stay its own statement: a statement's
  // snapshot predates its lock, and would miss the previous writer's commit.)
  const [next]: Array<{ head: string | null; seqs: string[] }> = await manager.query(
    `SELECT (SELECT hash FROM audit_events ORDER BY seq DESC LIMIT 1) AS head,
            ARRAY(SELECT nextval('audit_events_seq')::text FROM generate_series(1, $1)) AS seqs`,
    [records.length],
  );
  let prevHash = next.head ?? AUDIT_GENESIS_HASH;
  const seqs = next.seqs.map((seq) => ({ seq }));
  const rows: AuditEvent[] = [];
  const now = new Date();
  records.forEach(({ actor, entry, occurredAt }, index) => {
    const fields = {
      seq: seqs[index].seq,
      occurredAt: occurredAt ?? now,
      actorType: actor.type,
      actorId: actor.id,
      actorName: actor.name ?? null,
      actorIssuer: actor.issuer ?? null,
      action: entry.action,
      targetType: entry.targetType ?? null,
      targetId: entry.targetId ?? null,
      outcome: entry.outcome ?? 'success',
      reason: entry.reason ?? actor.reason ?? null,
      requestId: actor.requestId ?? null,
      sourceIp: actor.sourceIp ?? null,
      changes: entry.changes ?? null,
      metadata: entry.metadata ?? null,
      prevHash,
    };
    const hash = computeAuditHash(fields);
    rows.push(manager.create(AuditEvent, { ...fields, hash }));
    prevHash = hash;
  });
  await insertAuditRows(manager, rows);
  return rows;
}

const AUDIT_COLUMNS = [
  'seq', 'occurred_at', 'actor_type', 'actor_id', 'actor_name', 'actor_issuer', 'action', 'target_type',
  'target_id', 'outcome', 'reason', 'request_id', 'source_ip', 'changes', 'metadata', 'prev_hash', 'hash',
];

/** One multi-row INSERT; jsonb values are passed as JSON text so nothing reinterprets them. */
async function insertAuditRows(manager: EntityManager, rows: AuditEvent[]): Promise<void> {
  const params: unknown[] = [];
  const tuples = rows.map((row) => {
    const values = [
      row.seq, row.occurredAt, row.actorType, row.actorId, row.actorName, row.actorIssuer, row.action, row.targetType,
      row.targetId, row.outcome, row.reason, row.requestId, row.sourceIp,
      row.changes === null ? null : JSON.stringify(row.changes),
      row.metadata === null ? null : JSON.stringify(row.metadata),
      row.prevHash, row.hash,
    ];
    const placeholders = values.map((value) => {
      params.push(value);
      return `$${params.length}`;
    });
    return `(${placeholders.join(', ')})`;
  });
  await manager.query(`INSERT INTO audit_events (${AUDIT_COLUMNS.join(', ')}) VALUES ${tuples.join(', ')}`, params);
}
