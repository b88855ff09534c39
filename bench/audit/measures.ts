import type { DataSource } from 'typeorm';
import { AuditIntegrityService } from '../../apps/records-api/src/audit/audit-integrity.service';
import { InstallationChangesService } from '../../apps/records-api/src/audit/installation-changes.service';
import { appendAuditEvents, CheckpointSigner, DEFAULT_AUDIT_CHAIN_COUNT, type ActorContext, type AuditEntry } from '../../libs/common/src';
import { installationId, INSTALLATIONS } from './fill';

const mb = (bytes: number): number => Math.round(bytes / 1048576);

/** Peak RSS while `work` runs, sampled every 20 ms. */
async function withPeakRss<T>(work: () => Promise<T>): Promise<{ value: T; rssBeforeMb: number; peakRssMb: number }> {
  const before = process.memoryUsage().rss;
  let peak = before;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
  try {
    const value = await work();
    return { value, rssBeforeMb: mb(before), peakRssMb: mb(Math.max(peak, process.memoryUsage().rss)) };
  } finally {
    clearInterval(sampler);
  }
}

/** Through the API's own service, so the measure includes how it runs the verification. */
export async function measureVerify(dataSource: DataSource, signer: CheckpointSigner): Promise<Record<string, unknown>> {
  // CPU time as well as wall time: on a busy machine wall time mostly measures the neighbours.
  // Wall time of the whole call: starting the scanner threads and their connections counts too.
  const cpuBefore = process.cpuUsage();
  const started = Date.now();
  const run = await withPeakRss(() => new AuditIntegrityService(dataSource, signer).verify());
  const verifyMs = Date.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  const r = run.value;
  return {
    ok: r.ok,
    checkedRows: r.checkedRows,
    verifyMs,
    // process.cpuUsage counts every thread of the process: the scanner threads' hashing is included.
    nodeCpuMs: Math.round((cpu.user + cpu.system) / 1000),
    rssBeforeMb: run.rssBeforeMb,
    peakRssMb: run.peakRssMb,
    pass: r.ok && verifyMs < 10_000,
  };
}

export async function measureChanges(dataSource: DataSource, calls = 500): Promise<Record<string, unknown>> {
  const service = new InstallationChangesService(dataSource);
  const timings: number[] = [];
  for (let i = 0; i < calls; i += 1) {
    const started = process.hrtime.bigint();
    await service.list(installationId(i % INSTALLATIONS), { limit: 50 });
    timings.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  timings.sort((a, b) => a - b);
  const at = (q: number): number => Math.round(timings[Math.min(timings.length - 1, Math.floor(q * timings.length))] * 100) / 100;
  return { calls, p50Ms: at(0.5), p99Ms: at(0.99), pass: at(0.99) < 20 };
}

/**
 * 8 writers appending one row per transaction through the real writer (appendAuditEvents: chain
 * claim with its head read, hash, insert) with 1 chain and with `chains` chains, and, interleaved in the same run,
 * the same INSERTs into an unchained copy of the table (same columns and indexes).
 */
export async function measureWriters(
  dataSource: DataSource,
  durationMs = 5000,
  writers = 8,
  chains = DEFAULT_AUDIT_CHAIN_COUNT,
): Promise<Record<string, unknown>> {
  const actor: ActorContext = { type: 'service', id: 'bench-writer', requestId: 'bench' };
  const entry: AuditEntry = {
    action: 'installation.updated',
    targetType: 'installation',
    targetId: installationId(1),
    changes: [{ field: 'ownerTeam', before: 'a', after: 'b' }],
  };
  const chained = (chainCount: number) => async (): Promise<void> => {
    await dataSource.transaction((m) => appendAuditEvents(m, actor, [entry], chainCount));
  };
  const unchained = async (): Promise<void> => {
    await dataSource.transaction((m) =>
      m.query(
        `INSERT INTO audit_events_unchained (seq, occurred_at, actor_type, actor_id, action, target_type, target_id, outcome, request_id, changes, prev_hash, hash)
         VALUES (nextval('audit_events_unchained_seq'), now(), 'service', 'bench-writer', $1, 'installation', $2, 'success', 'bench', $3, '', '')`,
        [entry.action, entry.targetId, JSON.stringify(entry.changes)],
      ),
    );
  };
  const rate = async (op: () => Promise<void>): Promise<number> => {
    const deadline = Date.now() + durationMs;
    let done = 0;
    await Promise.all(
      Array.from({ length: writers }, async () => {
        while (Date.now() < deadline) {
          await op();
          done += 1;
        }
      }),
    );
    return (done * 1000) / durationMs;
  };
  // Alternating rounds, so drifting machine load hits every variant alike.
  const results = { unchained: [] as number[], oneChain: [] as number[], chains: [] as number[] };
  // Three rounds: on a shared 2-core machine one round of either side can land on a neighbour's burst.
  const rounds = Number(process.env.BENCH_WRITER_ROUNDS ?? 3);
  for (let round = 0; round < rounds; round += 1) {
    results.unchained.push(await rate(unchained));
    results.oneChain.push(await rate(chained(1)));
    results.chains.push(await rate(chained(chains)));
  }
  const mean = (values: number[]): number => values.reduce((a, b) => a + b, 0) / values.length;
  const round2 = (value: number): number => Math.round(value * 100) / 100;
  const unchainedPerSec = mean(results.unchained);
  const ratio = mean(results.chains) / unchainedPerSec;
  return {
    writers,
    chains,
    unchainedPerSec: Math.round(unchainedPerSec),
    oneChainPerSec: Math.round(mean(results.oneChain)),
    chainedPerSec: Math.round(mean(results.chains)),
    ratioOneChain: round2(mean(results.oneChain) / unchainedPerSec),
    ratio: round2(ratio),
    rounds: {
      unchained: results.unchained.map(Math.round),
      oneChain: results.oneChain.map(Math.round),
      chains: results.chains.map(Math.round),
    },
    pass: ratio >= 0.5,
  };
}
