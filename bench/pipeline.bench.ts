/**
 * Pipeline benchmark (issue 3 item 11): verifications end to end (records-api → outbox → RabbitMQ
 * → verifier-worker → partner sandbox → milestones back), next to pgbench simple-update TPS and
 * raw amqplib publish/consume measured in the same run, on the same servers.
 *
 * Alone: npx ts-node --transpile-only -r tsconfig-paths/register bench/pipeline.bench.ts
 * From run-all: `await runPipelineBench()` (returns the figures; the caller owns process exit).
 *
 * Scenarios, all on a fresh database of their own (BENCH_PIPELINE_DATABASE, dropped first) and a
 * private broker prefix, records-api + verifier-worker(s) as child processes at LOG_LEVEL=warn:
 * - end to end: 10,000 (BENCH_PIPELINE_VERIFICATIONS) verifications queued in one transaction
 *   (the rows PUT /credentials writes), sandbox at zero latency: the pipeline's own throughput;
 * - end to end via API: 2,000 (BENCH_PIPELINE_API_VERIFICATIONS) PUT /credentials, 32 in flight;
 * - 10/s and 200/s offered: PUT /credentials at a fixed rate (open loop);
 * - 200 ms partner latency on the token call (one partner wait per verification) with one and
 *   two workers, and on both calls with one worker, on a full queue: the workers' throughput.
 * Figures: done/s = completed ÷ (last milestone applied − first requested); steady = the same
 * between the 10th and 90th percentile completion; worker/s = receipts completed per second;
 * requested = receipt requested_at; auth = worker completion (authenticated_at); applied =
 * records-api's milestone audit row (the status change is visible); commits/v = transactions
 * committed per verification (pg_stat_database); CPU ms per verification per process (/proc),
 * the figure to trust when other jobs share the machine.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { runAmqpBaseline, type AmqpBaseline } from './pipeline/amqp-baseline';
import { runningChildApps } from './pipeline/child-app';
import { DatabaseWaits, type WaitSample } from './pipeline/database-waits';
import { MachineLoad, summariseOthers, type LoadWindow } from './pipeline/machine-load';
import { PipelineStack } from './pipeline/pipeline-stack';
import { queueVerifications, workerThroughput } from './pipeline/queued-requests';
import { runSqlBaseline, type SqlBaseline } from './pipeline/sql-baseline';
import {
  flowFigures,
  round,
  seedDraftInstallations,
  submitCredentials,
  timelines,
  writeTimelines,
  waitForCompletion,
  type FlowFigures,
  type SubmitFigures,
  type SubmitPlan,
} from './pipeline/workload';

const PG_HOST = process.env.BENCH_PG_HOST ?? '127.0.0.1:5432';
const RABBIT_URL = process.env.RABBITMQ_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
const CONCURRENCY = Number(process.env.VERIFIER_CONCURRENCY ?? 10);
const SIZES = {
  warmup: 100,
  endToEnd: Number(process.env.BENCH_PIPELINE_VERIFICATIONS ?? 10_000),
  /** Submitted through the API as fast as 32 clients can (the API's write path included). */
  throughApi: Number(process.env.BENCH_PIPELINE_API_VERIFICATIONS ?? 2_000),
  offeredRate: 200,
  offeredSeconds: 15,
  latencyMs: 200,
  /** A rate the pipeline can carry on a shared 2-core machine: latency without a backlog (informative). */
  gentleRate: 10,
  gentleSeconds: 10,
};
// The whole run takes about 10 minutes on a shared 2-core machine; past this it is stuck, not slow.
const HARD_LIMIT_MS = 15 * 60_000;

export interface TargetCheck {
  name: string;
  measured: number;
  target: string;
  pass: boolean;
}

export interface PipelineScenario {
  name: string;
  workers: number;
  partnerLatency: string;
  /** `api`: PUT /credentials per installation; `queued`: the same rows written straight to the database in one transaction. */
  source: 'api' | 'queued';
  submit: Omit<SubmitFigures, 'sentAt' | 'accepted'> | null;
  /** Receipts completed by the workers (completed_at), per second: the workers' own throughput. */
  worker: { completed: number; failures: number; perSecond: number; steadyPerSecond: number };
  flow: FlowFigures;
  /** Transactions committed in the bench database per completed verification (pg_stat_database). */
  commitsPerVerification: number;
  /** CPU ms per completed verification, by process (the figure to trust on a shared machine). */
  cpuMsPerVerification: Record<string, number>;
  load: LoadWindow;
  /** Top pg_stat_activity samples of the bench database (who waits on what). */
  databaseWaits: WaitSample[];
}

export interface PipelineBenchResult {
  ranAt: string;
  environment: Record<string, unknown>;
  baselines: { sql: SqlBaseline; amqp: AmqpBaseline; sqlLoad: LoadWindow; amqpLoad: LoadWindow };
  scenarios: PipelineScenario[];
  targets: TargetCheck[];
  file: string;
}

const log = (message: string): void => console.log(`[pipeline ${new Date().toISOString().slice(11, 19)}] ${message}`);

export async function runPipelineBench(): Promise<PipelineBenchResult> {
  const started = Date.now();
  const stack = new PipelineStack({
    pgHost: PG_HOST,
    database: process.env.BENCH_PIPELINE_DATABASE ?? 'ir_bench_pipeline',
    rabbitUrl: RABBIT_URL,
    workerConcurrency: CONCURRENCY,
    logLevel: process.env.BENCH_API_LOG_LEVEL ?? 'warn',
  });
  const machine = new MachineLoad(() => stack.pids());
  const waits = new DatabaseWaits(stack.db, stack.database);
  const environment = {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model,
    node: process.version,
    verifierConcurrency: CONCURRENCY,
    logLevel: process.env.BENCH_API_LOG_LEVEL ?? 'warn',
    loadAverageAtStart: round(loadavg()[0], 2),
  };
  log(`load average ${environment.loadAverageAtStart} on ${environment.cpus} CPUs`);

  log('baseline: pgbench -N -c 8 -j 2 -T 10 (scale 10) on a scratch database');
  machine.begin();
  const sql = await runSqlBaseline({ adminUrl: `postgres://postgres@${PG_HOST}/postgres`, database: 'ir_bench_pgbench' });
  const sqlLoad = machine.end();
  log(
    `  ${round(sql.tps)} tps (${sql.tool}); with a global lock held through commit: ${sql.serializedTps === null ? 'n/a' : round(sql.serializedTps)} tps`,
  );
  log(`baseline: raw amqplib on a quorum queue, prefetch ${CONCURRENCY}`);
  machine.begin();
  const amqp = await runAmqpBaseline({ url: RABBIT_URL, queue: `${stack.prefix}raw-baseline`, prefetch: CONCURRENCY });
  const amqpLoad = machine.end();
  log(`  publish ${amqp.publishPerSecond}/s, consume ${amqp.consumePerSecond}/s, together ${amqp.endToEndPerSecond}/s`);

  const scenarios: PipelineScenario[] = [];
  try {
    log(`starting records-api and one verifier-worker (prefix ${stack.prefix})`);
    await stack.start();
    const latencyCount = (workers: number, perVerificationMs: number) =>
      Math.round(((workers * CONCURRENCY) / (perVerificationMs / 1000)) * 8);
    const plan = {
      warmup: SIZES.warmup,
      endToEnd: SIZES.endToEnd,
      throughApi: SIZES.throughApi,
      offered: SIZES.offeredRate * SIZES.offeredSeconds,
      gentle: SIZES.gentleRate * SIZES.gentleSeconds,
      slowOne: latencyCount(1, SIZES.latencyMs),
      slowEveryCall: latencyCount(1, 2 * SIZES.latencyMs),
      slowTwo: latencyCount(2, SIZES.latencyMs),
    };
    const total = Object.values(plan).reduce((a, b) => a + b, 0);
    log(`seeding ${total} draft installations`);
    const ids = await seedDraftInstallations(stack, total);
    const take = (n: number): string[] => ids.splice(0, n);

    const scenario = async (
      name: string,
      partnerLatency: string,
      batch: string[],
      submitPlan: SubmitPlan | 'queued',
      timeoutMs: number,
    ) => {
      // This machine's PostgreSQL runs with autovacuum off. Left alone, every scenario would run on
      // the dead rows and stale statistics of the ones before it (and cached plans never replanned),
      // which no deployment with the default autovacuum sees; vacuumed here, outside the window.
      await stack.db.query('VACUUM ANALYZE');
      machine.begin();
      waits.start();
      const commitsBefore = await stack.commits();
      let submitted = batch;
      let submit: SubmitFigures | null = null;
      if (submitPlan === 'queued') {
        await queueVerifications(stack, batch);
      } else {
        submit = await submitCredentials(stack, batch, submitPlan);
        if (submit.failed > 0) log(`  ${name}: ${submit.failed} submissions refused (first: ${submit.firstStatus})`);
        submitted = submit.accepted;
      }
      const done = await waitForCompletion(stack, submitted, timeoutMs);
      const load = machine.end();
      const commits = (await stack.commits()) - commitsBefore;
      const databaseWaits = await waits.stop();
      const lines = await timelines(stack, submitted, submit?.sentAt);
      // BENCH_TIMELINES=1: every verification's timeline as CSV in bench/results/timelines (where the slow ones sit in time).
      if (process.env.BENCH_TIMELINES) writeTimelines(name, lines);
      const flow = flowFigures(lines);
      const worker = await workerThroughput(stack, submitted);
      if (done < submitted.length) log(`  ${name}: only ${done} of ${submitted.length} completed within ${timeoutMs / 1000} s`);
      const { sentAt: _sent, accepted: _accepted, ...submitFigures } = submit ?? { sentAt: null, accepted: null };
      const result: PipelineScenario = {
        name,
        workers: stack.workers.length,
        partnerLatency,
        source: submit ? 'api' : 'queued',
        submit: submit ? (submitFigures as PipelineScenario['submit']) : null,
        worker,
        flow,
        commitsPerVerification: round(commits / Math.max(1, flow.completed), 1),
        cpuMsPerVerification: cpuPerVerification(load, flow.completed),
        load,
        databaseWaits,
      };
      log(
        `  ${name}: ${flow.completed}/${flow.verifications} in ${load.seconds} s → ${flow.perSecond}/s (steady ${flow.steadyPerSecond}/s; ` +
          `worker ${worker.perSecond}/s)${submit ? `, submit ${submit.perSecond}/s (API p99 ${submit.apiP99Ms} ms)` : ''}, requested→applied ` +
          `p50 ${flow.latencyMs.requestedToApplied.p50} ms p99 ${flow.latencyMs.requestedToApplied.p99} ms, machine ${load.machineBusyPercent}% busy`,
      );
      return result;
    };

    // BENCH_PIPELINE_ONLY=end-to-end,api,gentle,offered,latency runs a subset (quicker loops while tuning).
    const only = new Set((process.env.BENCH_PIPELINE_ONLY ?? 'end-to-end,api,gentle,offered,latency').split(',').map((s) => s.trim()));
    log(`warm-up: ${plan.warmup} verifications (not reported)`);
    await scenario('warm-up', '0 ms', take(plan.warmup), { kind: 'closed', concurrency: 16 }, 60_000);

    if (only.has('end-to-end')) {
      log(`${plan.endToEnd} verifications end to end, queued in one transaction (the API's write path left out)`);
      scenarios.push(await scenario('end to end', '0 ms', take(plan.endToEnd), 'queued', 480_000));
    }
    if (only.has('api')) {
      log(`${plan.throughApi} verifications end to end through PUT /credentials, 32 submissions in flight`);
      scenarios.push(await scenario('end to end via API', '0 ms', take(plan.throughApi), { kind: 'closed', concurrency: 32 }, 240_000));
    }
    if (only.has('gentle')) {
      log(`offered load: ${SIZES.gentleRate}/s for ${SIZES.gentleSeconds} s (informative: latency without a backlog)`);
      scenarios.push(
        await scenario(`${SIZES.gentleRate}/s offered`, '0 ms', take(plan.gentle), { kind: 'rate', perSecond: SIZES.gentleRate }, 60_000),
      );
    }
    if (only.has('offered')) {
      log(`offered load: ${SIZES.offeredRate}/s for ${SIZES.offeredSeconds} s`);
      scenarios.push(
        await scenario(
          `${SIZES.offeredRate}/s offered`,
          '0 ms',
          take(plan.offered),
          { kind: 'rate', perSecond: SIZES.offeredRate },
          150_000,
        ),
      );
    }
    if (only.has('latency')) {
      // The workers get a full queue (queued mode) so that their own throughput is what is measured.
      stack.setPartnerLatency(SIZES.latencyMs, ['parkwhiz.token']);
      log(`partner latency ${SIZES.latencyMs} ms on the token call, one worker: ${plan.slowOne} queued verifications`);
      scenarios.push(await scenario('200 ms partner, 1 worker', `${SIZES.latencyMs} ms (token)`, take(plan.slowOne), 'queued', 120_000));
      stack.setPartnerLatency(SIZES.latencyMs);
      log(`partner latency ${SIZES.latencyMs} ms on every call (token + location), one worker: ${plan.slowEveryCall} queued verifications`);
      scenarios.push(
        await scenario('200 ms every call, 1 worker', `${SIZES.latencyMs} ms (both calls)`, take(plan.slowEveryCall), 'queued', 120_000),
      );
      stack.setPartnerLatency(SIZES.latencyMs, ['parkwhiz.token']);
      log('starting a second verifier-worker');
      await stack.addWorker();
      log(`partner latency ${SIZES.latencyMs} ms on the token call, two workers: ${plan.slowTwo} queued verifications`);
      scenarios.push(await scenario('200 ms partner, 2 workers', `${SIZES.latencyMs} ms (token)`, take(plan.slowTwo), 'queued', 120_000));
    }
  } finally {
    log('stopping apps, removing the broker prefix and the database');
    await stack.stop().catch((error: unknown) => log(`cleanup failed: ${String(error)}`));
  }

  const targets = checkTargets(sql, scenarios);
  printTable(sql, amqp, sqlLoad, amqpLoad, scenarios, targets);
  const ranAt = new Date().toISOString();
  const dir = join(__dirname, 'results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `pipeline-${ranAt.replace(/[:.]/g, '-')}.json`);
  const result = {
    ranAt,
    environment: { ...environment, loadAverageAtEnd: round(loadavg()[0], 2), totalSeconds: round((Date.now() - started) / 1000) },
    baselines: { sql, amqp, sqlLoad, amqpLoad },
    scenarios,
    targets,
    file,
  };
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  log(`results: ${file}; total ${result.environment.totalSeconds} s`);
  return result;
}

/** CPU ms per completed verification of the bench's processes and the shared servers. */
function cpuPerVerification(load: LoadWindow, completed: number): Record<string, number> {
  const result: Record<string, number> = {};
  for (const [group, percent] of Object.entries(load.cpuPercentOfOneCore)) {
    if (group.startsWith('other: ')) continue;
    result[group] = round(((percent / 100) * load.seconds * 1000) / Math.max(1, completed), 1);
  }
  return result;
}

function checkTargets(sql: SqlBaseline, scenarios: PipelineScenario[]): TargetCheck[] {
  const find = (name: string) => scenarios.find((s) => s.name === name);
  const checks: TargetCheck[] = [];
  const need = round(0.35 * sql.tps);
  for (const [name, label] of [
    ['end to end', 'end-to-end throughput, 10,000 queued (/s)'],
    ['end to end via API', 'end-to-end throughput, submitted through the API (/s)'],
  ]) {
    const e2e = find(name);
    if (e2e) {
      checks.push({
        name: label,
        measured: e2e.flow.perSecond,
        target: `≥ 0.35 × ${round(sql.tps)} tps = ${need}`,
        pass: e2e.flow.perSecond >= need && e2e.flow.completed === e2e.flow.verifications,
      });
    }
  }
  const offered = find('200/s offered');
  if (offered) {
    const p99 = offered.flow.latencyMs.requestedToApplied.p99;
    const refused = offered.submit?.failed ?? 0;
    const all = refused === 0 && offered.flow.completed === offered.flow.verifications;
    checks.push({
      name: `p99 submit→authenticated at 200/s (ms)${all ? '' : `; ${refused} submissions refused, ${offered.flow.verifications - offered.flow.completed} incomplete`}`,
      measured: p99,
      target: '< 100, every submission accepted and completed',
      pass: p99 < 100 && all,
    });
  }
  const perWorker = (name: string, workers: number, perVerificationMs: number, label: string) => {
    const s = find(name);
    if (!s) return;
    const need = round((0.8 * workers * CONCURRENCY) / (perVerificationMs / 1000));
    checks.push({
      name: label,
      measured: s.worker.perSecond,
      target: `≥ 0.8 × ${CONCURRENCY} ÷ ${perVerificationMs / 1000} s${workers > 1 ? ` × ${workers}` : ''} = ${need}`,
      pass: s.worker.perSecond >= need,
    });
  };
  perWorker('200 ms partner, 1 worker', 1, SIZES.latencyMs, 'worker throughput, 200 ms partner, 1 worker (/s)');
  perWorker('200 ms partner, 2 workers', 2, SIZES.latencyMs, 'worker throughput, 200 ms partner, 2 workers (/s)');
  perWorker('200 ms every call, 1 worker', 1, 2 * SIZES.latencyMs, 'worker throughput, 200 ms on both calls (400 ms), 1 worker (/s)');
  return checks;
}

function printTable(
  sql: SqlBaseline,
  amqp: AmqpBaseline,
  sqlLoad: LoadWindow,
  amqpLoad: LoadWindow,
  scenarios: PipelineScenario[],
  targets: TargetCheck[],
): void {
  const pad = (value: unknown, width: number) => String(value).padStart(width);
  console.log('\nBaselines (same machine, same PostgreSQL and RabbitMQ, same run)');
  console.log(
    `  pgbench -N -c ${sql.clients} -j 2 -T ${sql.seconds} -s ${sql.scale} (${sql.tool}): ${round(sql.tps)} tps, avg latency ${sql.latencyAvgMs} ms   [machine ${sqlLoad.machineBusyPercent}% busy, load ${sqlLoad.loadAverage1m}]`,
  );
  if (sql.serializedTps !== null)
    console.log(
      `  same, with one advisory lock held through COMMIT (the audit chain's append pattern): ${round(sql.serializedTps)} tps, avg latency ${sql.serializedLatencyAvgMs} ms`,
    );
  console.log(
    `  amqplib quorum queue, confirms + persistent, prefetch ${amqp.prefetch}, ${amqp.messages} × ${amqp.bodyBytes} B: publish ${amqp.publishPerSecond}/s, ` +
      `consume ${amqp.consumePerSecond}/s, together ${amqp.endToEndPerSecond}/s   [machine ${amqpLoad.machineBusyPercent}% busy, load ${amqpLoad.loadAverage1m}]`,
  );
  console.log(
    '\nPipeline (requested = receipt requested_at; auth = worker completion, stamped authenticated_at; applied = records-api milestone audit row)',
  );
  console.log(
    `${'scenario'.padEnd(28)} ${pad('src', 6)} ${pad('wk', 2)} ${pad('n', 6)} ${pad('done/s', 7)} ${pad('steady', 7)} ${pad('worker/s', 8)} ${pad('submit/s', 8)} | ` +
      `${pad('req→auth p50', 12)} ${pad('p99', 7)} | ${pad('req→applied p50', 15)} ${pad('p99', 7)} | ${pad('commits/v', 9)} ${pad('busy%', 5)} ${pad('load', 5)}`,
  );
  for (const s of scenarios) {
    const f = s.flow;
    console.log(
      `${s.name.padEnd(28)} ${pad(s.source, 6)} ${pad(s.workers, 2)} ${pad(f.completed, 6)} ${pad(f.perSecond, 7)} ${pad(f.steadyPerSecond, 7)} ` +
        `${pad(s.worker.perSecond, 8)} ${pad(s.submit?.perSecond ?? '-', 8)} | ` +
        `${pad(f.latencyMs.requestedToAuthenticated.p50, 12)} ${pad(f.latencyMs.requestedToAuthenticated.p99, 7)} | ` +
        `${pad(f.latencyMs.requestedToApplied.p50, 15)} ${pad(f.latencyMs.requestedToApplied.p99, 7)} | ` +
        `${pad(s.commitsPerVerification, 9)} ${pad(s.load.machineBusyPercent, 5)} ${pad(s.load.loadAverage1m, 5)}`,
    );
  }
  console.log('\nCPU ms per verification by process (what the pipeline costs, whatever else runs); then the window in % of one core');
  for (const s of scenarios) {
    const perVerification = Object.entries(s.cpuMsPerVerification)
      .map(([group, value]) => `${group} ${value}`)
      .join(', ');
    const cpu = Object.entries(summariseOthers(s.load.cpuPercentOfOneCore))
      .map(([group, value]) => `${group} ${value}`)
      .join(', ');
    console.log(`  ${s.name}: ${perVerification}\n      window: ${cpu}`);
  }
  const e2e = scenarios.find((s) => s.name === 'end to end');
  if (e2e) {
    console.log('\nWhere the end-to-end run waited (pg_stat_activity every 50 ms: % of samples a session was in this state)');
    for (const w of e2e.databaseWaits) console.log(`  ${String(w.percent).padStart(4)}%  ${w.what}`);
  }
  console.log('\nTargets (issue 3, item 11)');
  for (const t of targets) console.log(`  ${t.pass ? 'PASS' : 'FAIL'}  ${t.name}: ${t.measured} (target ${t.target})`);
}

async function killChildren(): Promise<void> {
  await Promise.allSettled(runningChildApps().map((app) => app.stop(3000)));
}

if (require.main === module) {
  process.on('exit', () => runningChildApps().forEach((app) => app.killNow()));
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      log(`${signal}: stopping child processes`);
      void killChildren().finally(() => process.exit(130));
    });
  }
  setTimeout(() => {
    log(`still running after ${HARD_LIMIT_MS / 60_000} minutes: giving up`);
    void killChildren().finally(() => process.exit(1));
  }, HARD_LIMIT_MS).unref();
  runPipelineBench()
    .then(() => process.exit(0))
    .catch(async (error: unknown) => {
      console.error(error instanceof Error ? (error.stack ?? error.message) : error);
      await killChildren();
      process.exit(1);
    });
}
