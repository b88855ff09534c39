/**
 * Audit chain benchmark (issue 4 §8, verify part): fills a private database with N chained audit
 * rows (default 1M) and times GET /v1/audit/verify's work (verifyAuditChain) over them, with the
 * process's peak RSS. Run: `npx ts-node --transpile-only -r tsconfig-paths/register bench/audit-chain.ts`.
 * BENCH_AUDIT_ROWS overrides N; BENCH_KEEP_DATABASE keeps the database; BENCH_AUDIT_DATABASE reuses a
 * kept one (skips the fill, which takes ~1-2 minutes for 1M rows).
 */
import { randomBytes } from 'node:crypto';
import { Client, Pool } from 'pg';
import {
  AUDIT_GENESIS_HASH,
  CheckpointSigner,
  computeAuditHash,
  DEV_AUDIT_CHECKPOINT_KEY,
  migrateDatabase,
  verifyAuditChain,
} from '../libs/common/src';

const ROWS = Number(process.env.BENCH_AUDIT_ROWS ?? 1_000_000);
const TARGET_MS = 10_000;
const INSERT_BATCH = 2000;
const PG_HOST = process.env.BENCH_PG_HOST ?? '127.0.0.1:5432';

async function fill(owner: Client): Promise<void> {
  let prevHash = AUDIT_GENESIS_HASH;
  const start = Date.parse('2026-01-01T00:00:00Z');
  for (let base = 1; base <= ROWS; base += INSERT_BATCH) {
    const params: unknown[] = [];
    const tuples: string[] = [];
    for (let seq = base; seq < base + INSERT_BATCH && seq <= ROWS; seq += 1) {
      const fields = {
        seq: String(seq),
        occurredAt: new Date(start + seq * 1000),
        actorType: 'user',
        actorId: `user-${seq % 50}`,
        actorName: null,
        actorIssuer: 'bench',
        action: 'installation.updated',
        targetType: 'installation',
        targetId: `inst-${seq % 1000}`,
        outcome: 'success',
        reason: seq % 10 === 0 ? 'CHG-1' : null,
        requestId: `req-${seq}`,
        sourceIp: '127.0.0.1',
        changes: [{ field: 'propertyName', before: `Garage ${seq - 1}`, after: `Garage ${seq}` }],
        metadata: null,
        prevHash,
      };
      const hash = computeAuditHash(fields);
      const values = [
        fields.seq,
        fields.occurredAt,
        fields.actorType,
        fields.actorId,
        fields.actorName,
        fields.actorIssuer,
        fields.action,
        fields.targetType,
        fields.targetId,
        fields.outcome,
        fields.reason,
        fields.requestId,
        fields.sourceIp,
        JSON.stringify(fields.changes),
        null,
        prevHash,
        hash,
      ];
      tuples.push(
        `(${values
          .map((v) => {
            params.push(v);
            return `$${params.length}`;
          })
          .join(',')})`,
      );
      prevHash = hash;
    }
    await owner.query(
      `INSERT INTO audit_events (seq, occurred_at, actor_type, actor_id, actor_name, actor_issuer, action, target_type, target_id, outcome,
        reason, request_id, source_ip, changes, metadata, prev_hash, hash) VALUES ${tuples.join(',')}`,
      params,
    );
  }
  await owner.query(`SELECT setval('audit_events_seq', $1)`, [ROWS]);
  await owner.query('VACUUM ANALYZE audit_events');
}

async function main(): Promise<void> {
  const reuse = process.env.BENCH_AUDIT_DATABASE;
  const name = reuse ?? `ir_bench_audit_${randomBytes(3).toString('hex')}`;
  const migrationUrl = `postgres://postgres@${PG_HOST}/${name}`;
  const appUrl = `postgres://installation_records_app@${PG_HOST}/${name}`;
  if (!reuse) await migrateDatabase({ migrationUrl, appUrl });
  const owner = new Client({ connectionString: migrationUrl });
  await owner.connect();
  const pool = new Pool({ connectionString: appUrl, max: 2 });
  try {
    if (!reuse) {
      const filled = Date.now();
      await fill(owner);
      process.stdout.write(`filled ${ROWS} chained rows in ${Date.now() - filled} ms\n`);
    }
    const signer = CheckpointSigner.fromConfig(process.env.AUDIT_CHECKPOINT_KEY ?? DEV_AUDIT_CHECKPOINT_KEY);
    const rssBefore = process.memoryUsage().rss;
    let peakRss = rssBefore;
    const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);
    // CPU time as well as wall time: on a busy machine wall time mostly measures the neighbours.
    const cpuBefore = process.cpuUsage();
    const result = await verifyAuditChain(async <T>(sql: string, params: unknown[]) => (await pool.query(sql, params)).rows as T[], signer);
    clearInterval(sampler);
    const cpu = process.cpuUsage(cpuBefore);
    const mb = (bytes: number): number => Math.round(bytes / 1048576);
    process.stdout.write(
      `${JSON.stringify({ rows: ROWS, ok: result.ok, checkedRows: result.checkedRows, verifyMs: result.durationMs, nodeCpuMs: Math.round((cpu.user + cpu.system) / 1000), targetMs: TARGET_MS, pass: result.ok && result.durationMs < TARGET_MS, rssBeforeMb: mb(rssBefore), peakRssMb: mb(peakRss) })}\n`,
    );
  } finally {
    await pool.end();
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
