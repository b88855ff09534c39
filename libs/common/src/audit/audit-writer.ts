import type { PoolClient, QueryResult } from 'pg';
import type { EntityManager } from 'typeorm';
import { AuditEvent } from '../entities/audit-event.entity';
import { AUDIT_GENESIS_HASH, computeAuditHash } from './audit-chain';
import type { ActorContext, AuditEntry } from './audit-entry';

/** Advisory lock key of the audit chains: chain i is locked as (AUDIT_CHAIN_LOCK_KEY, i). */
export const AUDIT_CHAIN_LOCK_KEY = 4_242_001;
/** Rows per append up to which the INSERT is a named (prepared) statement: parsed and planned once per connection. */
const PREPARED_INSERT_MAX_ROWS = 8;

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

/**
 * A data-modifying statement of the same transaction sent with the audit INSERT, as a WITH clause
 * of it: one round trip instead of two (the unit of work's outbox rows). Its parameters are $1…$n;
 * the audit rows' parameters follow them. The text must be fixed, so the combination can be
 * prepared.
 */
export interface CompanionStatement {
  name: string;
  text: string;
  values: unknown[];
}

/**
 * Like appendAuditEvents, for rows of several actors in one append (one chain, one lock, one
 * INSERT). `companion`, when given, runs in the same statement as the INSERT (even without rows).
 */
export async function appendAuditRecords(
  manager: EntityManager,
  records: AuditRecord[],
  chainCount: number,
  companion?: CompanionStatement,
): Promise<AuditEvent[]> {
  if (records.length === 0) {
    if (companion) {
      const client = await transactionClient(manager);
      await client.query({ name: companion.name, text: companion.text, values: companion.values });
    }
    return [];
  }
  const client = await transactionClient(manager);
  const { chain, head, seqs } = await claimChain(client, chainCount, records.length);
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
    // A plain assignment: manager.create walks the entity metadata, measurable at thousands of appends a second.
    rows.push(Object.assign(new AuditEvent(), fields, { hash }));
    prevHash = hash;
  });
  await insertAuditRows(client, rows, companion);
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
 * when all are held, waits for a random one. One round trip to a prepared function call
 * (audit_claim_chain, migration 1796421000000), which takes the first lock it wins, then reads that
 * chain's head and draws the seqs in statements of their own: a statement's snapshot predates any
 * lock it takes, and would miss the previous holder's commit. The seqs are drawn under the lock, so
 * within a chain seq order is chain order (the verifier walks seq order).
 */
async function claimChain(client: PoolClient, chainCount: number, rows: number): Promise<ChainClaim> {
  if (!Number.isInteger(chainCount) || chainCount < 1 || !Number.isInteger(rows)) throw new Error('chainCount and rows must be integers');
  const start = Math.floor(Math.random() * chainCount);
  const rotation = chainCount > 1 ? Array.from({ length: chainCount }, (_, i) => (start + i) % chainCount) : [];
  const result: QueryResult<ChainClaim> = await client.query({
    name: 'audit_claim_chain',
    text: 'SELECT chain, head, seqs FROM audit_claim_chain($1::int[], $2::int, $3::int)',
    values: [rotation, start, rows],
  });
  const claim = result.rows[0];
  if (!claim) throw new Error(`audit chain ${start} was not locked`);
  return claim;
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

const insertTexts = new Map<string, string>();

/**
 * The INSERT of `rowCount` rows, after `companion` when given, built once per combination (a flush
 * of 200 access reads would rebuild 3,600 placeholders).
 */
function insertText(rowCount: number, companion?: CompanionStatement): string {
  const key = `${companion?.name ?? ''}/${rowCount}`;
  let text = insertTexts.get(key);
  if (text === undefined) {
    const offset = companion?.values.length ?? 0;
    const tuples = Array.from({ length: rowCount }, (_, row) => {
      const first = offset + row * AUDIT_COLUMNS.length;
      return `(${AUDIT_COLUMNS.map((_, i) => `$${first + i + 1}`).join(', ')})`;
    });
    text = `INSERT INTO audit_events (${AUDIT_COLUMNS.join(', ')}) VALUES ${tuples.join(', ')}`;
    if (companion) text = `WITH ${companion.name} AS (${companion.text}) ${text}`;
    // Regular flushes are at most a few hundred rows; a rare larger append is built each time.
    if (rowCount <= 256) insertTexts.set(key, text);
  }
  return text;
}

/** One multi-row INSERT; jsonb values are passed as JSON text so nothing reinterprets them. */
async function insertAuditRows(client: PoolClient, rows: AuditEvent[], companion?: CompanionStatement): Promise<void> {
  const params: unknown[] = companion ? [...companion.values] : [];
  for (const row of rows) {
    params.push(
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
    );
  }
  const text = insertText(rows.length, companion);
  const name = companion ? `audit_insert_${rows.length}_with_${companion.name}` : `audit_insert_${rows.length}`;
  await client.query(rows.length <= PREPARED_INSERT_MAX_ROWS ? { name, text, values: params } : { text, values: params });
}
