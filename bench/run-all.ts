/**
 * `npm run bench`: the records API against a raw node:http + pg baseline on the same data, plus
 * list latency at 10k and 1M rows. What each figure means: bench/README.md.
 */
import { mkdirSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { encodeCursor } from '../apps/records-api/src/installations/installation-cursor';
import { BenchDatabase } from './support/bench-database';
import { ChildServer, runningServers } from './support/child-server';
import { round, runLoad, timedGet, viewerToken, type LoadPlan } from './support/load';
import {
  printComparison,
  printTargets,
  summarise,
  writeResults,
  type Measurement,
  type Summary,
  type Target,
  type TargetCheck,
} from './support/report';

const DATABASE = process.env.BENCH_DATABASE ?? 'ir_bench';
const PG_HOST = process.env.BENCH_PG_HOST ?? '127.0.0.1:5432';
const URLS = {
  migrationUrl: `postgres://postgres@${PG_HOST}/${DATABASE}`,
  appUrl: `postgres://installation_records_app@${PG_HOST}/${DATABASE}`,
};
const PLAN: LoadPlan = {
  connections: Number(process.env.BENCH_CONNECTIONS ?? 50),
  durationSeconds: Number(process.env.BENCH_DURATION ?? 10),
  warmupSeconds: Number(process.env.BENCH_WARMUP ?? 2),
};
/** Each comparison runs baseline, API, API, baseline, ... so drift in machine load hits both alike. */
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const SMALL_ROWS = 10_000;
const MEDIUM_ROWS = 100_000;
const LARGE_ROWS = Number(process.env.BENCH_LARGE_ROWS ?? 1_000_000);
const PAGE = 50;
/** `BENCH_ONLY=read`: only the read-by-id comparison at 100k rows (a quick loop while profiling). */
const READ_ONLY = process.env.BENCH_ONLY === 'read';
// The whole run normally takes ~7 minutes; past this it is stuck, not slow.
const HARD_LIMIT_MS = 15 * 60_000;

const SERVER_ENV: NodeJS.ProcessEnv = {
  ...process.env,
  NODE_ENV: 'development',
  DATABASE_URL: URLS.appUrl,
  MIGRATION_DATABASE_URL: URLS.migrationUrl,
  LOG_LEVEL: process.env.BENCH_API_LOG_LEVEL ?? 'warn',
};

const log = (message: string): void => console.log(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}`);
const auth = (): Record<string, string> => ({ authorization: `Bearer ${viewerToken(SERVER_ENV)}` });
const listPath = `/v1/installations?limit=${PAGE}`;
const measurements: Measurement[] = [];
const servers = {} as Record<Target, ChildServer>;

async function measure(scenario: string, rows: number, target: Target, round: number, nextPath: () => string, plan = PLAN): Promise<void> {
  const server = servers[target];
  const figures = await runLoad(server.baseUrl, nextPath, plan, auth(), server.pid);
  if (figures.non2xx || figures.errors || figures.timeouts) {
    throw new Error(
      `${scenario} on ${target}: ${figures.non2xx} non-2xx, ${figures.errors} errors, ${figures.timeouts} timeouts\n${server.recentOutput()}`,
    );
  }
  measurements.push({ scenario, rows, target, round, figures });
  log(
    `${scenario} @${rows} ${target}#${round}: ${figures.requestsPerSecond} req/s, p50 ${figures.p50Ms} ms, p99 ${figures.p99Ms} ms, ` +
      `${figures.serverCpuMsPerRequest} ms CPU/req, machine ${figures.machineBusyPercent}% busy`,
  );
}

/** Baseline and API alternately, ABBA, so neither always runs first. */
async function compare(scenario: string, rows: number, nextPath: () => string): Promise<void> {
  for (let round = 1; round <= ROUNDS; round++) {
    const order: Target[] = round % 2 === 1 ? ['baseline', 'api'] : ['api', 'baseline'];
    for (const target of order) await measure(scenario, rows, target, round, nextPath);
  }
}

const UNLOADED = 'list ?limit=50, 1 connection';

/** The API alone with one connection: latency from the data size, without queueing behind 49 others. */
async function measureUnloaded(rows: number): Promise<void> {
  for (let round = 1; round <= ROUNDS; round++) await measure(UNLOADED, rows, 'api', round, () => listPath, { ...PLAN, connections: 1 });
}

/** Both servers must answer the same JSON for the comparison to mean anything. */
async function checkSameShape(id: string): Promise<string> {
  for (const path of [`/v1/installations/${id}`, listPath]) {
    const [a, b] = await Promise.all([
      timedGet(`${servers.api.baseUrl}${path}`, auth()),
      timedGet(`${servers.baseline.baseUrl}${path}`, auth()),
    ]);
    if (a.status !== 200 || b.status !== 200) throw new Error(`shape check ${path}: API ${a.status}, baseline ${b.status}`);
    if (!isDeepStrictEqual(a.body, b.body)) return `DIFFERENT on ${path}`;
  }
  return 'identical';
}

/** Follows nextCursor page after page, one request at a time, as a client paging through would. */
async function walkPages(pages: number): Promise<{ pageMs: number[]; firstMs: number; medianLaterMs: number; maxMs: number }> {
  const pageMs: number[] = [];
  let cursor: string | null = null;
  for (let i = 0; i < pages; i++) {
    const response = await timedGet(`${servers.api.baseUrl}${listPath}${cursor ? `&cursor=${cursor}` : ''}`, auth());
    if (response.status !== 200) throw new Error(`page ${i + 1}: status ${response.status}`);
    pageMs.push(round(response.ms, 2));
    cursor = (response.body as { nextCursor: string | null }).nextCursor;
    if (!cursor) break;
  }
  const later = pageMs.slice(1).sort((x, y) => x - y);
  return { pageMs, firstMs: pageMs[0], medianLaterMs: later[Math.floor(later.length / 2)], maxMs: Math.max(...pageMs) };
}

async function main(): Promise<void> {
  const started = Date.now();
  const loadAtStart = loadavg()[0];
  const db = new BenchDatabase(URLS);
  log(`recreating ${DATABASE} and seeding ${SMALL_ROWS} installations (load average ${loadAtStart.toFixed(2)} on ${cpus().length} CPUs)`);
  await db.recreate();
  await db.growTo(READ_ONLY ? MEDIUM_ROWS : SMALL_ROWS);

  log('starting records-api (:3100) and the raw baseline (:3101)');
  if (process.env.BENCH_PROF) mkdirSync(join(__dirname, 'results'), { recursive: true });
  const apiArgs = process.env.BENCH_PROF
    ? ['--prof', '--no-logfile-per-isolate', `--logfile=${join(__dirname, 'results', 'api-v8.log')}`]
    : [];
  const apiEnv = { ...SERVER_ENV, BENCH_CPU_PROF_FILE: join(__dirname, 'results', 'api.cpuprofile') };
  const preload = process.env.BENCH_CPU_PROF ? [join(__dirname, 'support', 'cpu-profile.ts')] : [];
  [servers.api, servers.baseline] = await Promise.all([
    ChildServer.start({ name: 'records-api', script: 'apps/records-api/src/main.ts', port: 3100, env: apiEnv, nodeArgs: apiArgs, preload }),
    ChildServer.start({ name: 'raw baseline', script: 'bench/baseline/raw-records-server.ts', port: 3101, env: SERVER_ENV }),
  ]);
  const shape = await checkSameShape((await db.sampleIds(1))[0]);
  log(`JSON of API and baseline: ${shape}`);
  // Unrecorded: lets both JIT-compile their hot paths before anything counts.
  const warmIds = await db.sampleIds(1000);
  for (const target of ['api', 'baseline'] as const) {
    await runLoad(
      servers[target].baseUrl,
      () => `/v1/installations/${warmIds[Math.floor(Math.random() * warmIds.length)]}`,
      { ...PLAN, durationSeconds: 3, warmupSeconds: 0 },
      auth(),
    );
    await runLoad(servers[target].baseUrl, () => listPath, { ...PLAN, durationSeconds: 3, warmupSeconds: 0 }, auth());
  }

  if (READ_ONLY) return readOnly(db);

  await compare('list ?limit=50', SMALL_ROWS, () => listPath);
  await measureUnloaded(SMALL_ROWS);

  log(`growing to ${MEDIUM_ROWS}`);
  await db.growTo(MEDIUM_ROWS);
  const ids = await db.sampleIds(10_000);
  await compare('GET /installations/{id}', MEDIUM_ROWS, () => `/v1/installations/${ids[Math.floor(Math.random() * ids.length)]}`);
  await compare('list ?limit=50', MEDIUM_ROWS, () => listPath);

  log(`growing to ${LARGE_ROWS}`);
  const growStarted = Date.now();
  await db.growTo(LARGE_ROWS, (rows) => log(`  ${rows} rows`));
  const growSeconds = round((Date.now() - growStarted) / 1000);
  await compare('list ?limit=50', LARGE_ROWS, () => listPath);
  await measureUnloaded(LARGE_ROWS);

  log('deep pages: walking nextCursor, then a cursor half-way through the table under load');
  const walk = await walkPages(20);
  const deepScenario = `list, cursor at row ${Math.floor(LARGE_ROWS / 2)}`;
  const deepPath = `${listPath}&cursor=${encodeCursor(await db.listKeyAt(Math.floor(LARGE_ROWS / 2)))}`;
  await compare(deepScenario, LARGE_ROWS, () => deepPath);

  const figure = (scenario: string, rows: number, target: Target): Summary => summarise(measurements, scenario, rows, target) as Summary;
  const readApi = figure('GET /installations/{id}', MEDIUM_ROWS, 'api');
  const readRaw = figure('GET /installations/{id}', MEDIUM_ROWS, 'baseline');
  const readRatio = round(readApi.requestsPerSecond / readRaw.requestsPerSecond, 2);
  const listP99Small = figure('list ?limit=50', SMALL_ROWS, 'api').p99Ms;
  const listP99Large = figure('list ?limit=50', LARGE_ROWS, 'api').p99Ms;
  const listGrowth = round(listP99Large / listP99Small, 2);
  const unloadedSmall = figure(UNLOADED, SMALL_ROWS, 'api').p99Ms;
  const unloadedLarge = figure(UNLOADED, LARGE_ROWS, 'api').p99Ms;
  const unloadedGrowth = round(unloadedLarge / unloadedSmall, 2);
  const targets: TargetCheck[] = [
    {
      name: `read by id at ${MEDIUM_ROWS} rows, API req/s ÷ raw baseline req/s`,
      measured: readRatio,
      limit: '≥ 0.7',
      pass: readRatio >= 0.7,
    },
    {
      name: `list p99 (API), ${LARGE_ROWS} rows ÷ ${SMALL_ROWS} rows (${listP99Large} / ${listP99Small} ms)`,
      measured: listGrowth,
      limit: '≤ 1.5',
      pass: listGrowth <= 1.5,
    },
    {
      name: `list p99 (API, 1 connection), ${LARGE_ROWS} rows ÷ ${SMALL_ROWS} rows (${unloadedLarge} / ${unloadedSmall} ms)`,
      measured: unloadedGrowth,
      limit: '≤ 1.5',
      pass: unloadedGrowth <= 1.5,
    },
  ];

  printComparison(measurements);
  console.log(
    `\nDeep pages (API, one request at a time, ${LARGE_ROWS} rows): page 1 ${walk.firstMs} ms, median of pages 2-${walk.pageMs.length} ${walk.medianLaterMs} ms, max ${walk.maxMs} ms`,
  );
  printTargets(targets);

  const environment = {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model,
    node: process.version,
    plan: PLAN,
    rounds: ROUNDS,
    apiLogLevel: SERVER_ENV.LOG_LEVEL,
    loadAverageAtStart: round(loadAtStart, 2),
    loadAverageAtEnd: round(loadavg()[0], 2),
  };
  const summary = {
    ranAt: new Date().toISOString(),
    environment,
    targets,
    jsonShape: shape,
    readById: { api: readApi, baseline: readRaw, ratio: readRatio },
    listP99Ms: { [SMALL_ROWS]: listP99Small, [LARGE_ROWS]: listP99Large, ratio: listGrowth },
    listP99MsOneConnection: { [SMALL_ROWS]: unloadedSmall, [LARGE_ROWS]: unloadedLarge, ratio: unloadedGrowth },
  };
  const full = {
    ...summary,
    measurements,
    deepPages: walk,
    seeding: { growToLargeSeconds: growSeconds, tableSizes: await db.tableSizes() },
  };
  const file = writeResults(
    join(__dirname, 'results'),
    'records-api',
    { ...full, totalSeconds: round((Date.now() - started) / 1000) },
    summary,
  );
  log(`results: ${file} (and bench/results/latest.json); total ${round((Date.now() - started) / 1000)} s`);
}

async function readOnly(db: BenchDatabase): Promise<void> {
  const ids = await db.sampleIds(10_000);
  await compare('GET /installations/{id}', MEDIUM_ROWS, () => `/v1/installations/${ids[Math.floor(Math.random() * ids.length)]}`);
  printComparison(measurements);
  const api = summarise(measurements, 'GET /installations/{id}', MEDIUM_ROWS, 'api') as Summary;
  const raw = summarise(measurements, 'GET /installations/{id}', MEDIUM_ROWS, 'baseline') as Summary;
  log(`read by id: API/raw ${round(api.requestsPerSecond / raw.requestsPerSecond, 2)} (not written to results: BENCH_ONLY=read)`);
}

async function stopServers(): Promise<void> {
  await Promise.all(runningServers().map((server) => server.stop()));
}

process.on('exit', () => runningServers().forEach((server) => server.killNow()));
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    log(`${signal}: stopping servers`);
    void stopServers().finally(() => process.exit(130));
  });
}
setTimeout(() => {
  log(`still running after ${HARD_LIMIT_MS / 60_000} minutes: giving up`);
  void stopServers().finally(() => process.exit(1));
}, HARD_LIMIT_MS).unref();

main()
  .then(stopServers)
  .then(() => process.exit(0))
  .catch(async (error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : error);
    await stopServers();
    process.exit(1);
  });
