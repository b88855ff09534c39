import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Pool } from 'pg';

export interface SqlBaseline {
  tool: 'pgbench' | 'node-pg';
  clients: number;
  seconds: number;
  scale: number;
  tps: number;
  latencyAvgMs: number | null;
  /**
   * The same transaction with one global advisory lock taken before its last two statements and
   * held through COMMIT, as the audit chain's append does: commits can no longer share a WAL
   * flush, so this is the ceiling of any write path that appends to the chain. pgbench only.
   */
  serializedTps: number | null;
  serializedLatencyAvgMs: number | null;
}

/** pgbench -N's script with the audit chain's lock pattern (see SqlBaseline.serializedTps). */
const SERIALIZED_SCRIPT = `\\set aid random(1, 100000 * :scale)
\\set delta random(-5000, 5000)
BEGIN;
UPDATE pgbench_accounts SET abalance = abalance + :delta WHERE aid = :aid;
SELECT pg_advisory_xact_lock(4242001);
SELECT abalance FROM pgbench_accounts WHERE aid = :aid;
INSERT INTO pgbench_history (tid, bid, aid, delta, mtime) VALUES (1, 1, :aid, :delta, CURRENT_TIMESTAMP);
END;
`;

export interface SqlBaselineOptions {
  /** Superuser URL of the server; the scratch database is created and dropped next to it. */
  adminUrl: string;
  database: string;
  clients?: number;
  seconds?: number;
  scale?: number;
}

/**
 * pgbench's simple-update transaction (`-N`: one UPDATE of pgbench_accounts, two SELECT-free
 * history/balance statements, a commit) on a scratch database of the same server. When pgbench is
 * not installed, the same transaction is run from node with one pg client per pgbench client.
 */
export async function runSqlBaseline(options: SqlBaselineOptions): Promise<SqlBaseline> {
  const clients = options.clients ?? 8;
  const seconds = options.seconds ?? 10;
  const scale = options.scale ?? 10;
  await recreateDatabase(options.adminUrl, options.database);
  const url = new URL(options.adminUrl);
  url.pathname = `/${options.database}`;
  try {
    const pgbench = await which('pgbench');
    if (pgbench) {
      const conn = ['-h', url.hostname, '-p', url.port || '5432', '-U', decodeURIComponent(url.username) || 'postgres'];
      await run(pgbench, ['-i', '-q', '-s', String(scale), ...conn, options.database]);
      const bench = async (script: string[]) => {
        const out = await run(pgbench, [...script, '-c', String(clients), '-j', '2', '-T', String(seconds), ...conn, options.database]);
        const tps = Number(/tps = ([\d.]+)/.exec(out)?.[1]);
        const latency = /latency average = ([\d.]+) ms/.exec(out)?.[1];
        if (!Number.isFinite(tps)) throw new Error(`could not read tps from pgbench:\n${out}`);
        return { tps, latency: latency ? Number(latency) : null };
      };
      const simple = await bench(['-N']);
      const dir = mkdtempSync(join(tmpdir(), 'pipeline-bench-'));
      const scriptFile = join(dir, 'serialized.sql');
      writeFileSync(scriptFile, SERIALIZED_SCRIPT);
      const serialized = await bench(['-f', scriptFile, '-D', `scale=${scale}`]).finally(() =>
        rmSync(dir, { recursive: true, force: true }),
      );
      return {
        tool: 'pgbench',
        clients,
        seconds,
        scale,
        tps: simple.tps,
        latencyAvgMs: simple.latency,
        serializedTps: serialized.tps,
        serializedLatencyAvgMs: serialized.latency,
      };
    }
    return await nodeSimpleUpdate(url.toString(), clients, seconds, scale);
  } finally {
    await dropDatabase(options.adminUrl, options.database);
  }
}

/** pgbench -N's script, from node: accounts, history, commit (tellers and branches are skipped by -N). */
async function nodeSimpleUpdate(url: string, clients: number, seconds: number, scale: number): Promise<SqlBaseline> {
  const pool = new Pool({ connectionString: url, max: clients });
  try {
    await pool.query('CREATE TABLE pgbench_accounts (aid int PRIMARY KEY, bid int, abalance int, filler char(84))');
    await pool.query('CREATE TABLE pgbench_history (tid int, bid int, aid int, delta int, mtime timestamp, filler char(22))');
    await pool.query(`INSERT INTO pgbench_accounts SELECT n, (n - 1) / 100000 + 1, 0, '' FROM generate_series(1, $1) n`, [scale * 100_000]);
    await pool.query('VACUUM ANALYZE pgbench_accounts');
    const deadline = Date.now() + seconds * 1000;
    let done = 0;
    const loop = async (): Promise<void> => {
      const client = await pool.connect();
      try {
        while (Date.now() < deadline) {
          const aid = 1 + Math.floor(Math.random() * scale * 100_000);
          const tid = 1 + Math.floor(Math.random() * scale * 10);
          const delta = Math.floor(Math.random() * 10_001) - 5000;
          await client.query('BEGIN');
          await client.query('UPDATE pgbench_accounts SET abalance = abalance + $1 WHERE aid = $2', [delta, aid]);
          await client.query('SELECT abalance FROM pgbench_accounts WHERE aid = $1', [aid]);
          await client.query('INSERT INTO pgbench_history VALUES ($1, $2, $3, $4, now())', [tid, 1, aid, delta]);
          await client.query('COMMIT');
          done++;
        }
      } finally {
        client.release();
      }
    };
    const started = Date.now();
    await Promise.all(Array.from({ length: clients }, loop));
    const elapsed = (Date.now() - started) / 1000;
    return {
      tool: 'node-pg',
      clients,
      seconds,
      scale,
      tps: done / elapsed,
      latencyAvgMs: (clients * 1000 * elapsed) / done,
      serializedTps: null,
      serializedLatencyAvgMs: null,
    };
  } finally {
    await pool.end();
  }
}

async function recreateDatabase(adminUrl: string, name: string): Promise<void> {
  await dropDatabase(adminUrl, name);
  await withAdmin(adminUrl, (client) => client.query(`CREATE DATABASE ${identifier(name)}`));
}

export async function dropDatabase(adminUrl: string, name: string): Promise<void> {
  await withAdmin(adminUrl, (client) => client.query(`DROP DATABASE IF EXISTS ${identifier(name)} WITH (FORCE)`));
}

async function withAdmin<T>(adminUrl: string, work: (client: Client) => Promise<T>): Promise<T> {
  const url = new URL(adminUrl);
  url.pathname = '/postgres';
  const client = new Client({ connectionString: url.toString(), application_name: 'pipeline-bench' });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

function identifier(name: string): string {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`refusing database name "${name}": not a plain identifier`);
  return name;
}

function which(command: string): Promise<string | null> {
  return run('sh', ['-c', `command -v ${command}`]).then(
    (out) => out.trim() || null,
    () => null,
  );
}

function run(file: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile(file, args, { timeout: 120_000, maxBuffer: 4 * 1024 * 1024 }, (error, stdout, stderr) =>
      error ? reject(new Error(`${file} ${args.join(' ')} failed: ${error.message}\n${stderr}`)) : resolve(`${stdout}\n${stderr}`),
    ),
  );
}
