import type { PoolClient, QueryResult } from 'pg';
import type { EntityManager } from 'typeorm';
import { AuditEvent } from '../entities/audit-event.entity';
import { AUDIT_GENESIS_HASH, computeAuditHash } from './audit-chain';
import type { ActorContext, AuditEntry } from './audit-entry';

/** Advisory lock key of the audit chains: chain i is locked as (AUDIT_CHAIN_LOCK_KEY, i). */
export const AUDIT_CHAIN_LOCK_KEY = 4_242_001;
/** Transaction-local setting that carries the chain won from the lock statement to the head read. */
const CHAIN_SETTING = 'audit.chain';

/**
 * Appends rows to one of `chainCount` hash chains inside the caller's transaction. Each chain has
 * its own transaction-scoped advisory lock, held until commit, so a chain's appends (from both
 * apps and any number of replicas) happen one after another and no chain ever forks; appends to
 * different chains commit in parallel and share fsyncs (group commit), which one chain cannot: its
 * lock spans the COMMIT. Call it once per transaction, last, to keep the lock short.
 *
 * Correctness does not depend on every process using the same `chainCount`: whatever chain a
 * writer picks, that chain's lock serialises it.
 */
export async function appendAuditEvents(
  manager: EntityManager,
  actor: ActorContext,
  entries: AuditEntry[],
  chainCount: number,
): Promise<AuditEvent[]> {
  return appendAuditRecords(
    manager,
    entries.map((entry) => ({ actor, entry })),
    chainCount,
  );
}

/** One audit row to append, with its own actor; `occurredAt` when it happened earlier than the append (buffered access events). */
export interface AuditRecord {
  actor: ActorContext;
  entry: AuditEntry;
  occurredAt?: Date;
}

/** Like appendAuditEvents, for rows of several actors in one append (one chain, one lock, one INSERT). */
export async function appendAuditRecords(manager: EntityManager, records: AuditRecord[], chainCount: number): Promise<AuditEvent[]> {
  if (records.length === 0) return [];
  const { chain, head, seqs } = await claimChain(manager, chainCount, records.length);
  let prevHash = head ?? AUDIT_GENESIS_HASH;
  const rows: AuditEvent[] = [];
  const now = new Date();
  records.forEach(({ actor, entry, occurredAt }, index) => {
    const fields = {
      seq: seqs[index],
      chain,
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

/** A chain locked by this transaction, its head when the lock was won, and seqs drawn under the lock. */
interface ChainClaim {
  chain: number;
  head: string | null;
  seqs: string[];
}

/**
 * Locks a chain nobody holds, trying 0..chainCount-1 from a random start so writers spread out;
 * when all are held, waits for a random one. The function scan feeds the array in order and LIMIT
 * stops at the first lock won (a lock won beyond it would only sit idle until commit, never fork).
 */
async function claimChain(manager: EntityManager, chainCount: number, rows: number): Promise<ChainClaim> {
  if (!Number.isInteger(chainCount) || chainCount < 1 || !Number.isInteger(rows)) throw new Error('chainCount and rows must be integers');
  const client = await transactionClient(manager);
  const start = Math.floor(Math.random() * chainCount);
  if (chainCount > 1) {
    const rotation = Array.from({ length: chainCount }, (_, i) => (start + i) % chainCount);
    const free = await lockThenReadHead(
      client,
      `COALESCE((SELECT chain FROM unnest(ARRAY[${rotation.join(',')}]) AS chain WHERE pg_try_advisory_xact_lock(${AUDIT_CHAIN_LOCK_KEY}, chain) LIMIT 1), -1)`,
      rows,
    );
    if (free) return free;
  }
  const waited = await lockThenReadHead(client, `(SELECT ${start} FROM pg_advisory_xact_lock(${AUDIT_CHAIN_LOCK_KEY}, ${start}))`, rows);
  if (!waited) throw new Error(`audit chain ${start} was not locked`);
  return waited;
}

/**
 * One round trip, two statements (simple query protocol, so every value is one of our integers,
 * inlined): the first locks a chain and hands its id (-1 for none) to the second through a
 * transaction-local setting; the second reads that chain's head and draws the seqs. The read must
 * be its own statement: a statement's snapshot predates any lock it takes, and would miss the
 * previous holder's commit. The seqs are drawn under the lock, so within a chain seq order is
 * chain order (the verifier walks seq order).
 */
async function lockThenReadHead(client: PoolClient, chainExpression: string, rows: number): Promise<ChainClaim | null> {
  const results = (await client.query(
    `SELECT set_config('${CHAIN_SETTING}', (${chainExpression})::text, true);
     SELECT current_setting('${CHAIN_SETTING}')::int AS chain,
            (SELECT hash FROM audit_events WHERE chain = current_setting('${CHAIN_SETTING}')::smallint ORDER BY seq DESC LIMIT 1) AS head,
            ARRAY(SELECT nextval('audit_events_seq')::text FROM generate_series(1, ${rows})) AS seqs
      WHERE current_setting('${CHAIN_SETTING}')::int >= 0`,
  )) as unknown as Array<QueryResult<ChainClaim>>;
  return results[1].rows[0] ?? null;
}

/** The pg client under the caller's transaction: the chain lock must last until that transaction commits. */
async function transactionClient(manager: EntityManager): Promise<PoolClient> {
  const runner = manager.queryRunner;
  if (!runner?.isTransactionActive) throw new Error('audit rows must be appended inside a transaction (the chain lock lasts until commit)');
  return (await runner.connect()) as PoolClient;
}

const AUDIT_COLUMNS = [
  'seq',
  'chain',
  'occurred_at',
  'actor_type',
  'actor_id',
  'actor_name',
  'actor_issuer',
  'action',
  'target_type',
  'target_id',
  'outcome',
  'reason',
  'request_id',
  'source_ip',
  'changes',
  'metadata',
  'prev_hash',
  'hash',
];

/** One multi-row INSERT; jsonb values are passed as JSON text so nothing reinterprets them. */
async function insertAuditRows(manager: EntityManager, rows: AuditEvent[]): Promise<void> {
  const params: unknown[] = [];
  const tuples = rows.map((row) => {
    const values = [
      row.seq,
      row.chain,
      row.occurredAt,
      row.actorType,
      row.actorId,
      row.actorName,
      row.actorIssuer,
      row.action,
      row.targetType,
      row.targetId,
      row.outcome,
      row.reason,
      row.requestId,
      row.sourceIp,
      row.changes === null ? null : JSON.stringify(row.changes),
      row.metadata === null ? null : JSON.stringify(row.metadata),
      row.prevHash,
      row.hash,
    ];
    const placeholders = values.map((value) => {
      params.push(value);
      return `$${params.length}`;
    });
    return `(${placeholders.join(', ')})`;
  });
  await manager.query(`INSERT INTO audit_events (${AUDIT_COLUMNS.join(', ')}) VALUES ${tuples.join(', ')}`, params);
}
