import type { Client } from 'pg';
import { AUDIT_GENESIS_HASH, computeAuditHash, DEFAULT_AUDIT_CHAIN_COUNT } from '../../libs/common/src';

const INSERT_BATCH = 2000;
export const INSTALLATIONS = 1000;

/** Deterministic installation ids, so a kept database can be reused between runs. */
export function installationId(n: number): string {
  return `00000000-0000-4000-8000-${n.toString().padStart(12, '0')}`;
}

/** The installations the rows point at (the change log checks its installation exists). */
async function insertInstallations(owner: Client): Promise<void> {
  await owner.query(
    `INSERT INTO installations (id, vendor, environment, property_id, property_name, external_key, endpoints, created_by, version)
     SELECT ('00000000-0000-4000-8000-' || lpad(n::text, 12, '0'))::uuid, 'parkwhiz', 'sandbox', 'bench-' || n, 'Bench ' || n,
            'parkwhiz:bench-' || n || ':sandbox', '{"baseUrl":"https://api-sandbox.parkwhiz.com/v4"}', 'bench', 1
       FROM generate_series(0, $1 - 1) AS n`,
    [INSTALLATIONS],
  );
}

/**
 * N correctly chained rows, hashed like the writer does, dealt round-robin over `chains` chains
 * (as concurrent writers would spread them), inserted in multi-row batches as the owner.
 */
export async function fillAuditTrail(owner: Client, rows: number, chains = DEFAULT_AUDIT_CHAIN_COUNT): Promise<void> {
  await insertInstallations(owner);
  const heads: string[] = Array.from({ length: chains }, () => AUDIT_GENESIS_HASH);
  const start = Date.parse('2026-01-01T00:00:00Z');
  for (let base = 1; base <= rows; base += INSERT_BATCH) {
    const params: unknown[] = [];
    const tuples: string[] = [];
    for (let seq = base; seq < base + INSERT_BATCH && seq <= rows; seq += 1) {
      const chain = seq % chains;
      const prevHash = heads[chain];
      const fields = {
        seq: String(seq),
        chain,
        occurredAt: new Date(start + seq * 1000),
        actorType: 'user',
        actorId: `user-${seq % 50}`,
        actorName: null,
        actorIssuer: 'bench',
        action: 'installation.updated',
        targetType: 'installation',
        targetId: installationId(seq % INSTALLATIONS),
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
        fields.chain,
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
      const placeholders = values.map((value) => {
        params.push(value);
        return `$${params.length}`;
      });
      tuples.push(`(${placeholders.join(',')})`);
      heads[chain] = hash;
    }
    await owner.query(
      `INSERT INTO audit_events (seq, chain, occurred_at, actor_type, actor_id, actor_name, actor_issuer, action, target_type, target_id,
        outcome, reason, request_id, source_ip, changes, metadata, prev_hash, hash) VALUES ${tuples.join(',')}`,
      params,
    );
  }
  await owner.query(`SELECT setval('audit_events_seq', $1)`, [rows]);
  await owner.query('VACUUM ANALYZE audit_events');
}
