/**
 * Audit trail benchmark (issue 4 §8): fills a private database with N chained audit rows (default
 * 1M) and measures, against those rows: chain verification (< 10 s), the change log's p99 (< 20 ms),
 * a full NDJSON export to a slow client with peak RSS (< 200 MB), and 8 concurrent writers through
 * the real writer with 1 chain and with AUDIT_CHAIN_COUNT chains (default 8), beside the same
 * inserts without the chain (ratio >= 0.5 with the configured chains). The fill deals the rows over
 * the same number of chains. Prints one JSON object per measure.
 *
 * `npx ts-node --transpile-only -r tsconfig-paths/register bench/audit-chain.ts`
 * BENCH_AUDIT_ROWS overrides N; BENCH_KEEP_DATABASE keeps the database; BENCH_AUDIT_DATABASE reuses a
 * kept one (skips the fill, ~1.5 minutes for 1M rows). BENCH_AUDIT_ONLY=verify,changes,export,writers.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import {
  buildDataSourceOptions,
  CheckpointSigner,
  DEFAULT_AUDIT_CHAIN_COUNT,
  DEV_AUDIT_CHECKPOINT_KEY,
  migrateDatabase,
} from '../libs/common/src';
import { measureBuiltApi } from './audit/export-rss';
import { fillAuditTrail } from './audit/fill';
import { measureChanges, measureVerify, measureWriters } from './audit/measures';

const ROWS = Number(process.env.BENCH_AUDIT_ROWS ?? 1_000_000);
const PG_HOST = process.env.BENCH_PG_HOST ?? '127.0.0.1:5432';
const CHAINS = Number(process.env.AUDIT_CHAIN_COUNT ?? DEFAULT_AUDIT_CHAIN_COUNT);
const ONLY = new Set((process.env.BENCH_AUDIT_ONLY ?? 'verify,changes,export,writers').split(','));

async function main(): Promise<void> {
  const reuse = process.env.BENCH_AUDIT_DATABASE;
  const name = reuse ?? `ir_bench_audit_${randomBytes(3).toString('hex')}`;
  const migrationUrl = `postgres://postgres@${PG_HOST}/${name}`;
  const appUrl = `postgres://installation_records_app@${PG_HOST}/${name}`;
  if (!reuse) await migrateDatabase({ migrationUrl, appUrl });
  const owner = new Client({ connectionString: migrationUrl });
  await owner.connect();
  const results: Array<Record<string, unknown>> = [];
  const dataSource = new DataSource(buildDataSourceOptions(appUrl, { poolSize: 10, applicationName: 'bench-audit' }));
  try {
    if (!reuse) {
      const started = Date.now();
      await fillAuditTrail(owner, ROWS, CHAINS);
      process.stdout.write(`${JSON.stringify({ measure: 'fill', rows: ROWS, ms: Date.now() - started })}\n`);
    }
    // The unchained twin for the writers' baseline: same columns and indexes, no chain, no triggers.
    await owner.query('CREATE TABLE IF NOT EXISTS audit_events_unchained (LIKE audit_events INCLUDING DEFAULTS INCLUDING INDEXES)');
    await owner.query('CREATE SEQUENCE IF NOT EXISTS audit_events_unchained_seq AS bigint');
    await owner.query('GRANT INSERT ON audit_events_unchained TO installation_records_app');
    await owner.query('GRANT USAGE ON SEQUENCE audit_events_unchained_seq TO installation_records_app');
    await dataSource.initialize();
    const signer = CheckpointSigner.fromConfig(process.env.AUDIT_CHECKPOINT_KEY ?? DEV_AUDIT_CHECKPOINT_KEY);
    const report = (measure: string, result: Record<string, unknown>): void => {
      const line = { measure, rows: ROWS, ...result };
      results.push(line);
      process.stdout.write(`${JSON.stringify(line)}\n`);
    };
    // Verify and export through the built API, as production runs them; `verify-in-process` runs the
    // same service under ts-node in this process (its scanner threads then load ts-node too).
    if (ONLY.has('verify') || ONLY.has('export')) {
      const built = await measureBuiltApi({ appUrl, migrationUrl }, { verify: ONLY.has('verify'), export: ONLY.has('export') });
      if (built.verify) report('verify', built.verify);
      if (built.export) report('export', built.export);
    }
    if (ONLY.has('verify-in-process')) report('verify-in-process', await measureVerify(dataSource, signer));
    if (ONLY.has('changes')) report('changes', await measureChanges(dataSource));
    if (ONLY.has('writers'))
      report('writers', {
        ...(await measureWriters(dataSource, 5000, 8, CHAINS)),
        loadAverage: loadavg().map((l) => Math.round(l * 100) / 100),
      });
    mkdirSync(join(__dirname, 'results'), { recursive: true });
    const file = join(__dirname, 'results', `audit-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
    writeFileSync(file, JSON.stringify({ rows: ROWS, chains: CHAINS, loadAverageAtEnd: loadavg(), results }, null, 2) + '\n');
    process.stdout.write(`results: ${file}\n`);
  } finally {
    if (dataSource.isInitialized) await dataSource.destroy();
    await owner.end();
    if (!process.env.BENCH_KEEP_DATABASE && !reuse) {
      const admin = new Client({ connectionString: `postgres://postgres@${PG_HOST}/postgres` });
      await admin.connect();
      await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await admin.end();
    }
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`audit bench failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
