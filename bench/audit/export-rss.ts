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

/**
 * The export's memory as an operator sees it: the built records-api (as in production, no
 * ts-node) streams the whole trail to a client, and its resident memory is sampled from /proc
 * every 50 ms. Flat means the peak stays near the idle figure whatever the row count.
 */
export async function measureExportRss(urls: { appUrl: string; migrationUrl: string }): Promise<Record<string, unknown>> {
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
  try {
    const idleMb = rssMb(api.pid);
    let peakMb = idleMb;
    const sampler = setInterval(() => (peakMb = Math.max(peakMb, rssMb(api.pid))), 50);
    const started = Date.now();
    const bytes = await new Promise<number>((resolve, reject) => {
      const request = get(
        `${api.baseUrl}/v1/audit/export?format=ndjson`,
        { headers: { authorization: `Bearer ${benchToken(env, 'auditor')}` } },
        (res) => {
          if (res.statusCode !== 200) reject(new Error(`export answered ${res.statusCode}:\n${api.recentOutput()}`));
          let total = 0;
          res.on('data', (chunk: Buffer) => (total += chunk.length));
          res.on('end', () => resolve(total));
          res.on('error', reject);
        },
      );
      request.on('error', (error) => reject(new Error(`${error.message}:\n${api.recentOutput()}`)));
    });
    clearInterval(sampler);
    return {
      process: 'records-api from dist',
      nodeArgs: API_NODE_ARGS.join(' '),
      idleRssMb: idleMb,
      peakRssMb: peakMb,
      growthMb: peakMb - idleMb,
      exportedMb: Math.round(bytes / 1048576),
      exportMs: Date.now() - started,
      targetPeakMb: 200,
    };
  } finally {
    await api.stop();
  }
}
