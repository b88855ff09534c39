import { CreationLoad } from './creation-load';
import type { FaultPipeline, Progress } from './fault-pipeline';

/** Verifications per scenario (issue 3 item 10: 2,000 in flight). */
export const TOTAL = Number(process.env.FAULTS_VERIFICATIONS ?? 2000);
/** Partner latency: small, so that a worker's prefetch is always full of calls in flight. */
export const SANDBOX_LATENCY_MS = 15;
const CREATE_CONCURRENCY = 12;

export interface InFlight {
  /** The second half, still being created when the fault strikes. */
  load: CreationLoad;
  /** Everything acknowledged (both halves), for R8. */
  loads: CreationLoad[];
  atFault: Progress;
  /** Verification requests waiting in the broker queue when the worker started. */
  backlog: number;
}

/**
 * Brings the pipeline to the moment of the fault with work everywhere: half of the installations
 * are created before any worker runs (their requests wait in the durable queue), then a worker
 * starts and the other half is created while it works. Resolves once the worker completed some
 * receipts and the second half is under way, i.e. messages are queued, in hand and being created.
 */
export async function bringWorkInFlight(p: FaultPipeline, minCompleted = Math.min(150, TOTAL / 10)): Promise<InFlight> {
  const half = Math.floor(TOTAL / 2);
  const first = new CreationLoad(p.apiUrl, p.sandbox.url, half, CREATE_CONCURRENCY, 180_000);
  await first.finished;
  expect(first.count).toBe(half);
  const backlog = await p.until(
    async () => {
      const state = await p.queueState(p.topology.verificationRequests.name);
      return state.messages >= half ? state.messages : null;
    },
    60_000,
    'the first half queued in the broker',
  );
  await p.startWorker();
  const load = new CreationLoad(p.apiUrl, p.sandbox.url, TOTAL - half, CREATE_CONCURRENCY, 300_000);
  const atFault = await p.until(
    async () => {
      const progress = await p.progress();
      return progress && progress.completed >= minCompleted && load.count >= 50 ? progress : null;
    },
    120_000,
    'work in flight',
  );
  // The fault must hit unfinished work, or the scenario proves nothing.
  expect(atFault.completed).toBeLessThan(TOTAL * 0.75);
  return { load, loads: [first, load], atFault, backlog };
}

/** A pipeline that stopped making progress for this long is stuck: fail now rather than at the timeout. */
const STALL_MS = 60_000;

/** Every installation active, no receipt queued, both outboxes drained, both work queues empty. */
export async function waitForFinalState(p: FaultPipeline, expected: () => number, timeoutMs = 240_000): Promise<number> {
  const started = Date.now();
  let last = '';
  let lastChange = Date.now();
  await p.until(
    async () => {
      const progress = await p.progress();
      const seen = JSON.stringify(progress);
      if (seen !== last) [last, lastChange] = [seen, Date.now()];
      if (Date.now() - lastChange > STALL_MS) throw new Error(`${p.label}: no progress for ${STALL_MS} ms: ${seen}`);
      if (!progress || progress.installations < expected()) return false;
      if (progress.active !== progress.installations || progress.queued !== 0 || progress.outboxPending !== 0) return false;
      const [requests, status] = await Promise.all([
        p.queueState(p.topology.verificationRequests.name),
        p.queueState(p.topology.statusUpdates.name),
      ]);
      return requests.messages === 0 && status.messages === 0;
    },
    timeoutMs,
    'final state (all active, receipts completed, outbox drained)',
  );
  return Date.now() - started;
}

/** Outbox rows (either app's) created before `since` and still unsent. */
export async function pendingOutboxBefore(p: FaultPipeline, since: number): Promise<number | null> {
  const result = await p.db
    .query(`SELECT count(*)::int AS n FROM outbox_events WHERE sent_at IS NULL AND created_at <= to_timestamp($1 / 1000.0)`, [since])
    .catch(() => null);
  return result ? (result.rows[0].n as number) : null;
}
