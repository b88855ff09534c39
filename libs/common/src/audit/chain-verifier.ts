import { AUDIT_GENESIS_HASH, computeAuditHash } from './audit-chain';
import type { CheckpointSigner } from './checkpoint-signer';

/** Runs one parameterised query; an EntityManager or DataSource `query` bound to it fits. */
export type QueryRunnerFn = <T>(sql: string, params: unknown[]) => Promise<T[]>;

export type ChainProblem =
  'hash_mismatch' | 'prev_hash_mismatch' | 'checkpoint_mismatch' | 'checkpoint_signature_invalid' | 'rows_missing_after_checkpoint';

export interface CheckpointStatus {
  chain: number;
  seq: string;
  hash: string;
  createdAt: string;
  keyId: string;
  signatureValid: boolean;
  matchesChain: boolean;
}

/** Where one chain ends, as far as the verification walked it. */
export interface ChainHead {
  chain: number;
  seq: string;
  hash: string;
  rows: number;
}

export interface ChainVerification {
  ok: boolean;
  checkedRows: number;
  /**
   * The lowest seq that does not hold: a row whose recomputed hash or prevHash link fails in its
   * chain, a row a checkpoint names with another hash, or the first seq a checkpoint proves missing.
   */
  firstBrokenSeq: string | null;
  /** The chain of that row (or of the checkpoint that proves rows missing). */
  brokenChain: number | null;
  problem: ChainProblem | null;
  /** How many chains hold rows. */
  chains: number;
  chainHeads: ChainHead[];
  /** The last row in seq order, whatever its chain. */
  headSeq: string | null;
  headHash: string | null;
  checkpointsChecked: number;
  /** Checkpoints signed with a key id this process does not hold (e.g. before a rotation): not used as evidence. */
  checkpointsUnverifiable: number;
  lastCheckpoint: CheckpointStatus | null;
  durationMs: number;
}

/** An audit_events row as SQL returns it (seq as text, occurred_at pre-formatted to milliseconds). */
export interface StoredAuditRow {
  seq: string;
  chain: number;
  occurred_at: string;
  actor_type: string;
  actor_id: string;
  actor_name: string | null;
  actor_issuer: string | null;
  action: string;
  target_type: string | null;
  target_id: string | null;
  outcome: string;
  reason: string | null;
  request_id: string | null;
  source_ip: string | null;
  changes: unknown;
  metadata: unknown;
  prev_hash: string;
  hash: string;
}

interface RawCheckpoint {
  chain: number;
  seq: string;
  hash: string;
  created_at: Date;
  key_id: string;
  signature: string;
}

/**
 * Small on purpose: a batch (plus the one being prefetched) stays in V8's young generation and dies
 * there. Measured on 1M rows (bench/audit-chain.ts): 1000 rows ~6.7 s with flat RSS (+4 MB);
 * 10000 rows ~15 s and +200 MB, the batches being promoted and collected by full GCs.
 */
const BATCH_ROWS = 1000;

function fetchRows(query: QueryRunnerFn, afterSeq: string): Promise<StoredAuditRow[]> {
  // seq stays bigint (node-pg returns int8 as a string): a ::text alias would ORDER BY as text.
  // occurred_at is formatted by the server exactly like Date.toISOString(), sparing a Date parse per row.
  return query<StoredAuditRow>(
    `SELECT seq, chain, to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS occurred_at, actor_type, actor_id,
            actor_name, actor_issuer, action, target_type, target_id, outcome, reason, request_id, source_ip, changes, metadata,
            prev_hash, hash
       FROM audit_events WHERE seq > $1 ORDER BY seq LIMIT $2`,
    [afterSeq, BATCH_ROWS],
  );
}

function recompute(row: StoredAuditRow): string {
  return computeAuditHash({
    seq: row.seq,
    chain: row.chain,
    occurredAt: row.occurred_at,
    actorType: row.actor_type,
    actorId: row.actor_id,
    actorName: row.actor_name,
    actorIssuer: row.actor_issuer,
    action: row.action,
    targetType: row.target_type,
    targetId: row.target_id,
    outcome: row.outcome,
    reason: row.reason,
    requestId: row.request_id,
    sourceIp: row.source_ip,
    changes: row.changes,
    metadata: row.metadata,
    prevHash: row.prev_hash,
  });
}

const CHECKPOINT_COLUMNS = 'chain, seq, hash, created_at, key_id, signature';

/** A chain's running head, plus where its rows would start missing if a checkpoint says they are. */
interface ChainState extends ChainHead {
  /** The first seq absent from the table after this chain's last row, once one has been passed. */
  gapAfter: string | null;
}

/** What the walk found at a checkpoint's seq: the row there, or where the checkpointed chain's rows stop. */
type CheckpointEvidence = { row: StoredAuditRow } | { missingFrom: string };

/**
 * Recomputes every chain in one pass in seq order, in seq-range batches, keeping only each chain's
 * running head (memory stays flat at any size), and checks every signed checkpoint against the row
 * it names. A checkpoint whose row is gone proves that rows were cut off its chain's tail, which the
 * chain alone cannot show. Walks to the end even after a failure, so the lowest broken seq is named.
 */
export async function verifyAuditChain(query: QueryRunnerFn, signer: CheckpointSigner): Promise<ChainVerification> {
  const started = Date.now();
  const result: ChainVerification = {
    ok: true,
    checkedRows: 0,
    firstBrokenSeq: null,
    brokenChain: null,
    problem: null,
    chains: 0,
    chainHeads: [],
    headSeq: null,
    headHash: null,
    checkpointsChecked: 0,
    checkpointsUnverifiable: 0,
    lastCheckpoint: null,
    durationMs: 0,
  };
  const fail = (seq: string, chain: number, problem: ChainProblem): void => {
    if (result.firstBrokenSeq !== null && BigInt(seq) >= BigInt(result.firstBrokenSeq)) return;
    result.ok = false;
    result.firstBrokenSeq = seq;
    result.brokenChain = chain;
    result.problem = problem;
  };
  const chains = new Map<number, ChainState>();
  let lastSeq = '0';
  /** The first seq absent from the table: where the rows of a chain that has none left start missing. */
  let firstGap: string | null = null;
  /** Records that the seqs after lastSeq up to (not including) `seq` are absent; `null` for the tail. */
  const passGap = (seq: string | null): void => {
    if (seq !== null && Number(seq) === Number(lastSeq) + 1) return;
    const gap = (BigInt(lastSeq) + 1n).toString();
    firstGap ??= gap;
    for (const state of chains.values()) state.gapAfter ??= gap;
  };
  const missingFrom = (checkpoint: RawCheckpoint): string =>
    (chains.has(checkpoint.chain) ? chains.get(checkpoint.chain)?.gapAfter : firstGap) ?? checkpoint.seq;

  // The next batch is fetched while this one is hashed: the database and Node work in parallel.
  let next: Promise<StoredAuditRow[]> | null = fetchRows(query, lastSeq);
  while (next) {
    const rows: StoredAuditRow[] = await next;
    if (rows.length === 0) break;
    const upTo = rows[rows.length - 1].seq;
    next = rows.length === BATCH_ROWS ? fetchRows(query, upTo) : null;
    const checkpoints = await query<RawCheckpoint>(
      `SELECT ${CHECKPOINT_COLUMNS} FROM audit_checkpoints WHERE seq > $1 AND seq <= $2 ORDER BY seq`,
      [lastSeq, upTo],
    );
    let pending = 0;
    for (const row of rows) {
      passGap(row.seq);
      // Checkpoints at seqs the walk stepped over name rows that are gone.
      while (pending < checkpoints.length && BigInt(checkpoints[pending].seq) < BigInt(row.seq)) {
        const checkpoint = checkpoints[pending++];
        checkCheckpoint(checkpoint, { missingFrom: missingFrom(checkpoint) });
      }
      let state = chains.get(row.chain);
      if (row.prev_hash !== (state?.hash ?? AUDIT_GENESIS_HASH)) fail(row.seq, row.chain, 'prev_hash_mismatch');
      else if (recompute(row) !== row.hash) fail(row.seq, row.chain, 'hash_mismatch');
      if (!state) {
        state = { chain: row.chain, seq: row.seq, hash: row.hash, rows: 0, gapAfter: null };
        chains.set(row.chain, state);
      }
      state.seq = row.seq;
      state.hash = row.hash;
      state.rows += 1;
      state.gapAfter = null;
      lastSeq = row.seq;
      if (pending < checkpoints.length && checkpoints[pending].seq === row.seq) checkCheckpoint(checkpoints[pending++], { row });
    }
    result.checkedRows += rows.length;
    result.headSeq = upTo;
    result.headHash = rows[rows.length - 1].hash;
  }
  // Checkpoints past the surviving head: the rows they vouch for are gone.
  passGap(null);
  const beyond = await query<RawCheckpoint>(`SELECT ${CHECKPOINT_COLUMNS} FROM audit_checkpoints WHERE seq > $1 ORDER BY seq`, [lastSeq]);
  for (const checkpoint of beyond) checkCheckpoint(checkpoint, { missingFrom: missingFrom(checkpoint) });
  result.chainHeads = [...chains.values()]
    .sort((a, b) => a.chain - b.chain)
    .map(({ chain, seq, hash, rows }) => ({ chain, seq, hash, rows }));
  result.chains = result.chainHeads.length;
  result.durationMs = Date.now() - started;
  return result;

  function checkCheckpoint(raw: RawCheckpoint, evidence: CheckpointEvidence): void {
    const checkpoint = {
      chain: raw.chain,
      seq: raw.seq,
      hash: raw.hash,
      createdAt: raw.created_at,
      keyId: raw.key_id,
      signature: raw.signature,
    };
    if (checkpoint.keyId !== signer.keyId) {
      result.checkpointsUnverifiable += 1;
      return;
    }
    const signatureValid = signer.verify(checkpoint);
    const row = 'row' in evidence ? evidence.row : null;
    const matchesChain = row !== null && row.chain === raw.chain && row.hash === raw.hash;
    result.checkpointsChecked += 1;
    result.lastCheckpoint = {
      chain: raw.chain,
      seq: raw.seq,
      hash: raw.hash,
      createdAt: raw.created_at.toISOString(),
      keyId: raw.key_id,
      signatureValid,
      matchesChain,
    };
    if (!signatureValid) fail(raw.seq, raw.chain, 'checkpoint_signature_invalid');
    else if ('missingFrom' in evidence) fail(evidence.missingFrom, raw.chain, 'rows_missing_after_checkpoint');
    else if (!matchesChain) fail(raw.seq, raw.chain, 'checkpoint_mismatch');
  }
}
