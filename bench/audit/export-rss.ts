import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { get } from 'node:http';
import { join } from 'node:path';
import { ChildServer } from '../support/child-server';
import { benchToken } from '../support/load';

const ROOT = join(__dirname, '..', '..');
const API_MAIN = join(ROOT, 'dist/apps/records-api/src/main.js');
/** As production starts records-api (Dockerfile, docker-compose.yml, npm run start:api); BENCH_EXPORT_NODE_ARGS overrides ('' for V8's defaults). */
const API_NODE_ARGS = (process.env.BENCH_EXPORT_NODE_ARGS ?? '--max-old-space-size=256').split(' ').filter(Boolean);

function rssMb(pid: number | undefined): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('VmRSS:'));
  return Math.round(Number(line?.replace(/\D+/g, '') ?? 0) / 1024);
}

/** GET on the built API; resolves with the status, the body size and, when asked, the parsed body. */
function getJson(url: string, token: string, keepBody: boolean): Promise<{ status: number; bytes: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const request = get(url, { headers: { authorization: `Bearer ${token}` } }, (res) => {
      let bytes = 0;
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
        if (keepBody) chunks.push(chunk);
      });
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, bytes, body: keepBody ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : null }),
      );
      res.on('error', reject);
    });
    request.on('error', reject);
  });
}

/**
 * Verify and export as an operator sees them: the built records-api (as in production, no
 * ts-node; started as `npm run start:api` does) answers `GET /v1/audit/verify` and streams the
 * whole trail from `GET /v1/audit/export`, while its resident memory is sampled from /proc every
 * 50 ms. Flat means the export's peak stays near the idle figure whatever the row count.
 */
export async function measureBuiltApi(
  urls: { appUrl: string; migrationUrl: string },
  measures: { verify: boolean; export: boolean },
): Promise<{ verify?: Record<string, unknown>; export?: Record<string, unknown> }> {
  // Always rebuild: a stale dist/ would measure another version of the code.
  const build = spawnSync('npm', ['run', '-s', 'build'], { cwd: ROOT, stdio: 'inherit' });
  if (build.status !== 0 || !existsSync(API_MAIN)) throw new Error('npm run build failed');
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: 'development',
    DATABASE_URL: urls.appUrl,
    MIGRATION_DATABASE_URL: urls.migrationUrl,
    LOG_LEVEL: 'warn',
    MESSAGING_ENABLED: 'false',
    AUDIT_CHECKPOINT_INTERVAL_MS: '0',
  };
  const api = await ChildServer.start({ name: 'records-api (built)', script: API_MAIN, port: 3102, env, nodeArgs: API_NODE_ARGS });
  const token = benchToken(env, 'auditor');
  const results: { verify?: Record<string, unknown>; export?: Record<string, unknown> } = {};
  try {
    const sample = async <T>(work: () => Promise<T>) => {
      const idleMb = rssMb(api.pid);
      let peakMb = idleMb;
      const sampler = setInterval(() => (peakMb = Math.max(peakMb, rssMb(api.pid))), 50);
      const started = Date.now();
      try {
        const value = await work();
        return { value, ms: Date.now() - started, idleMb, peakMb };
      } finally {
        clearInterval(sampler);
      }
    };
    if (measures.verify) {
      const run = await sample(() => getJson(`${api.baseUrl}/v1/audit/verify`, token, true));
      if (run.value.status !== 200) throw new Error(`verify answered ${run.value.status}:\n${api.recentOutput()}`);
      const answer = run.value.body as { ok: boolean; checkedRows: number; firstBrokenSeq: string | null };
      results.verify = {
        process: 'records-api from dist, GET /v1/audit/verify',
        ok: answer.ok,
        checkedRows: answer.checkedRows,
        firstBrokenSeq: answer.firstBrokenSeq,
        verifyMs: run.ms,
        idleRssMb: run.idleMb,
        peakRssMb: run.peakMb,
        pass: answer.ok && run.ms < 10_000,
      };
    }
    if (measures.export) {
      const run = await sample(() => getJson(`${api.baseUrl}/v1/audit/export?format=ndjson`, token, false));
      if (run.value.status !== 200) throw new Error(`export answered ${run.value.status}:\n${api.recentOutput()}`);
      results.export = {
        process: 'records-api from dist',
        nodeArgs: API_NODE_ARGS.join(' '),
        idleRssMb: run.idleMb,
        peakRssMb: run.peakMb,
        growthMb: run.peakMb - run.idleMb,
        exportedMb: Math.round(run.value.bytes / 1048576),
        exportMs: run.ms,
        targetPeakMb: 200,
        pass: run.peakMb < 200,
      };
    }
    return results;
  } finally {
    await api.stop();
  }
}
