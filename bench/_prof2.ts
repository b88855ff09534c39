import { Pool } from 'pg';
import { computeAuditHash, canonicalJson, verifyAuditChain, CheckpointSigner, DEV_AUDIT_CHECKPOINT_KEY } from '../libs/common/src';
import { createHash } from 'node:crypto';
async function main() {
  const pool = new Pool({ connectionString: process.argv[2], max: 3 });
  let t = Date.now(); let last = '0'; const rowsAll: Record<string, unknown>[] = [];
  for (;;) {
    const r = await pool.query(`SELECT seq, to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS occurred_at, actor_type, actor_id, actor_name, actor_issuer, action, target_type, target_id, outcome, reason, request_id, source_ip, changes, metadata, prev_hash, hash FROM audit_events WHERE seq > $1 ORDER BY seq LIMIT 10000`, [last]);
    if (!r.rows.length) break; last = r.rows[r.rows.length-1].seq; rowsAll.push(...r.rows);
  }
  process.stdout.write(`fetch ${Date.now() - t} ${rowsAll.length}\n`);
  const f = (row: any) => ({ seq: row.seq, occurredAt: row.occurred_at, actorType: row.actor_type, actorId: row.actor_id, actorName: row.actor_name, actorIssuer: row.actor_issuer, action: row.action, targetType: row.target_type, targetId: row.target_id, outcome: row.outcome, reason: row.reason, requestId: row.request_id, sourceIp: row.source_ip, changes: row.changes, metadata: row.metadata, prevHash: row.prev_hash });
  t = Date.now();
  for (const row of rowsAll) computeAuditHash(f(row));
  process.stdout.write(`hash fast ${Date.now() - t}\n`);
  t = Date.now();
  for (const row of rowsAll) { const { prevHash, ...rest } = f(row); createHash('sha256').update(prevHash).update(canonicalJson(rest)).digest('hex'); }
  process.stdout.write(`hash generic ${Date.now() - t}\n`);
  const signer = CheckpointSigner.fromConfig(DEV_AUDIT_CHECKPOINT_KEY);
  const r = await verifyAuditChain(async <T>(sql: string, params: unknown[]) => (await pool.query(sql, params)).rows as T[], signer);
  process.stdout.write(`verify ${r.durationMs} ${r.ok}\n`);
  await pool.end();
}
main();
