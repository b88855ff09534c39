import { AUDIT_GENESIS_HASH } from './audit-chain';
import { scanAuditRange, type QueryRunnerFn, type RangeScan, type SeqRange } from './chain-range-scan';
import type { CheckpointSigner } from './checkpoint-signer';

export type { QueryRunnerFn, StoredAuditRow } from './chain-range-scan';

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

/** Scans ranges (in any order, on any number of connections sharing one snapshot) and answers in the ranges' order. */
export type RangeScanner = (ranges: SeqRange[]) => Promise<RangeScan[]>;

export interface VerifyOptions {
  /** Scans the ranges elsewhere, e.g. worker threads (chain-range-workers.ts); default: one after another on `query`. */
  scanRanges?: RangeScanner;
  /** How many seq ranges the trail is cut into; default 1, or 4 per scanner thread. */
  ranges?: number;
}

interface RawCheckpoint {
  chain: number;
  seq: string;
  hash: string;
  created_at: Date;
  key_id: string;
  signature: string;
}

/** What the trail holds at a checkpoint's seq: the row there, or where the checkpointed chain's rows start missing. */
type CheckpointEvidence = { row: { chain: number; hash: string } } | { missingFrom: string };

const CHECKPOINT_COLUMNS = 'chain, seq, hash, created_at, key_id, signature';
const CHECKPOINT_BATCH = 1000;

/** Cuts seqs (min-1, max] into `parts` contiguous ranges (the last one open-ended, so nothing past max is missed). */
export function splitSeqRanges(minSeq: string, maxSeq: string, parts: number): SeqRange[] {
  const low = BigInt(minSeq) - 1n;
  const span = BigInt(maxSeq) - low;
  const count = BigInt(Math.max(1, parts)) > span ? span : BigInt(Math.max(1, parts));
  const ranges: SeqRange[] = [];
  for (let i = 0n; i < count; i += 1n) {
    ranges.push({
      afterSeq: (low + (span * i) / count).toString(),
      upToSeq: i === count - 1n ? null : (low + (span * (i + 1n)) / count).toString(),
    });
  }
  return ranges;
}

/**
 * Recomputes every row's hash and every link of every chain, and checks every signed checkpoint
 * against the row it names, all in the caller's snapshot. The trail is cut into seq ranges that
 * can be scanned in parallel (a row's hash needs only its own stored prevHash); each range reports
 * its chains' first and last rows, and the ranges are stitched back in seq order, so a link across
 * two ranges is checked exactly like one inside a range. A checkpoint whose row is gone proves that
 * rows were cut off its chain's tail, which the chain alone cannot show. Every range is scanned to
 * its end even after a failure, so the lowest broken seq is named.
 */
export async function verifyAuditChain(
  query: QueryRunnerFn,
  signer: CheckpointSigner,
  options: VerifyOptions = {},
): Promise<ChainVerification> {
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
  // Keeps the lowest seq; at equal seqs the first reported wins (row problems are reported before checkpoints).
  const fail = (seq: string, chain: number, problem: ChainProblem): void => {
    if (result.firstBrokenSeq !== null && BigInt(seq) >= BigInt(result.firstBrokenSeq)) return;
    result.ok = false;
    result.firstBrokenSeq = seq;
    result.brokenChain = chain;
    result.problem = problem;
  };

  const [bounds] = await query<{ min: string | null; max: string | null }>('SELECT min(seq) AS min, max(seq) AS max FROM audit_events', []);
  if (bounds?.min != null && bounds.max != null) {
    const scanRanges: RangeScanner =
      options.scanRanges ??
      (async (ranges) => {
        const scans: RangeScan[] = [];
        for (const range of ranges) scans.push(await scanAuditRange(query, range));
        return scans;
      });
    const scans = await scanRanges(splitSeqRanges(bounds.min, bounds.max, options.ranges ?? 1));
    const chains = new Map<number, ChainHead>();
    for (const scan of scans) {
      if (scan.problem) fail(scan.problem.seq, scan.problem.chain, scan.problem.problem);
      for (const entry of scan.entries) {
        if (entry.prevHash !== (chains.get(entry.chain)?.hash ?? AUDIT_GENESIS_HASH)) fail(entry.seq, entry.chain, 'prev_hash_mismatch');
        else if (!entry.hashOk) fail(entry.seq, entry.chain, 'hash_mismatch');
      }
      for (const exit of scan.exits) {
        const head = chains.get(exit.chain);
        if (head) Object.assign(head, { seq: exit.seq, hash: exit.hash, rows: head.rows + exit.rows });
        else chains.set(exit.chain, { ...exit });
      }
      result.checkedRows += scan.rows;
      if (scan.last) {
        result.headSeq = scan.last.seq;
        result.headHash = scan.last.hash;
      }
    }
    result.chainHeads = [...chains.values()].sort((a, b) => a.chain - b.chain);
    result.chains = result.chainHeads.length;
  }
  await checkCheckpoints(query, signer, result, fail);
  result.durationMs = Date.now() - started;
  return result;
}

/**
 * Every checkpoint, in seq order: its signature, and the row it names (same chain, same hash). A
 * checkpoint whose row is absent proves its chain lost rows: from the first seq absent after the
 * chain's last surviving row below the checkpoint (the lowest seq that row's successor could have had).
 */
async function checkCheckpoints(
  query: QueryRunnerFn,
  signer: CheckpointSigner,
  result: ChainVerification,
  fail: (seq: string, chain: number, problem: ChainProblem) => void,
): Promise<void> {
  const missingFromCache = new Map<string, string>();
  let afterSeq = '0';
  for (;;) {
    const checkpoints = await query<RawCheckpoint>(
      `SELECT ${CHECKPOINT_COLUMNS} FROM audit_checkpoints WHERE seq > $1 ORDER BY seq LIMIT $2`,
      [afterSeq, CHECKPOINT_BATCH],
    );
    if (checkpoints.length === 0) return;
    const named = await query<{ seq: string; chain: number; hash: string }>(
      'SELECT seq, chain, hash FROM audit_events WHERE seq = ANY($1::bigint[])',
      [checkpoints.map((c) => c.seq)],
    );
    const rows = new Map(named.map((row) => [row.seq, row]));
    for (const raw of checkpoints) {
      const row = rows.get(raw.seq);
      check(raw, row ? { row } : { missingFrom: await missingFrom(raw) });
    }
    if (checkpoints.length < CHECKPOINT_BATCH) return;
    afterSeq = checkpoints[checkpoints.length - 1].seq;
  }

  async function missingFrom(checkpoint: RawCheckpoint): Promise<string> {
    const [{ last }] = await query<{ last: string }>(
      'SELECT COALESCE(max(seq), 0)::text AS last FROM audit_events WHERE chain = $1 AND seq < $2',
      [checkpoint.chain, checkpoint.seq],
    );
    const cached = missingFromCache.get(last);
    if (cached) return cached;
    // The first absent seq after `last`: `last` + 1 itself, or the first present row from there whose successor is absent.
    const [{ gap }] = await query<{ gap: string | null }>(
      `SELECT (CASE WHEN NOT EXISTS (SELECT 1 FROM audit_events WHERE seq = $1::bigint + 1) THEN $1::bigint + 1
                    ELSE (SELECT e.seq + 1 FROM audit_events e
                           WHERE e.seq > $1::bigint AND NOT EXISTS (SELECT 1 FROM audit_events n WHERE n.seq = e.seq + 1)
                           ORDER BY e.seq LIMIT 1) END)::text AS gap`,
      [last],
    );
    const from = gap ?? checkpoint.seq;
    missingFromCache.set(last, from);
    return from;
  }

  function check(raw: RawCheckpoint, evidence: CheckpointEvidence): void {
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
