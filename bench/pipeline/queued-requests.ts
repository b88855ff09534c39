import { randomUUID } from 'node:crypto';
import {
  canonicalJson,
  credentialAad,
  CredentialCipher,
  DEV_CREDENTIALS_KEYS,
  DEV_FINGERPRINT_KEY,
  EXCHANGE_OF,
  fingerprintSecret,
  lastFour,
  OUTBOX_NOTIFY_CHANNEL,
  RoutingKey,
} from '@app/common';
import { BENCH_CLIENT, type PipelineStack } from './pipeline-stack';

/**
 * Queues verifications without the API: for each draft installation, in ONE transaction, the rows
 * PUT /credentials writes (a pending credential version sealed like CredentialWriter does, status
 * pending_verification, a queued receipt, the verification.requested outbox row), then one NOTIFY.
 * The relay publishes the lot at once, so the workers face a full queue: their throughput is
 * measured without the API's submission rate in the way. Audit rows are left out (nothing reads
 * them here). Uses the development keys the child apps run with.
 */
export async function queueVerifications(stack: PipelineStack, ids: string[]): Promise<number> {
  const cipher = CredentialCipher.fromConfig(
    process.env.CREDENTIALS_KEYS ?? DEV_CREDENTIALS_KEYS,
    process.env.CREDENTIALS_ACTIVE_KEY_ID ?? 'dev1',
  );
  const fingerprintKey = process.env.FINGERPRINT_KEY ?? DEV_FINGERPRINT_KEY;
  const secrets = { clientSecret: BENCH_CLIENT.clientSecret };
  const masked = JSON.stringify({
    clientSecret: { fingerprint: fingerprintSecret(fingerprintKey, secrets.clientSecret), last4: lastFour(secrets.clientSecret) },
  });
  const fingerprint = fingerprintSecret(fingerprintKey, canonicalJson(secrets));
  const actor = { type: 'user', id: 'bench-seed', requestId: null };
  const occurredAt = new Date().toISOString();
  const rows = ids.map((installationId) => {
    const credentialId = randomUUID();
    const receiptId = randomUUID();
    const sealed = cipher.encrypt(JSON.stringify(secrets), credentialAad(installationId, 1));
    const payload = { installationId, occurredAt, actor, receiptId, credentialVersionId: credentialId, trigger: 'submitted' };
    return { installationId, credentialId, receiptId, keyId: sealed.keyId, ciphertext: sealed.ciphertext.toString('base64'), payload };
  });
  const client = await stack.db.connect();
  try {
    await client.query('BEGIN');
    await client.query(
      `INSERT INTO credential_versions (id, installation_id, version, state, key_id, secret_ciphertext, fingerprint, masked_fields,
                                        submitted_by, rotation_due_at)
       SELECT c, i, 1, 'pending', k, decode(s, 'base64'), $5, $6::jsonb, 'bench-seed', now() + interval '90 days'
         FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[]) AS t(c, i, k, s)`,
      [
        rows.map((r) => r.credentialId),
        rows.map((r) => r.installationId),
        rows.map((r) => r.keyId),
        rows.map((r) => r.ciphertext),
        fingerprint,
        masked,
      ],
    );
    await client.query(`UPDATE installations SET status = 'pending_verification', status_changed_at = now() WHERE id = ANY($1::uuid[])`, [
      ids,
    ]);
    await client.query(
      `INSERT INTO verification_receipts (id, installation_id, credential_version_id, trigger, requested_by)
       SELECT r, i, c, 'submitted', 'bench-seed' FROM unnest($1::uuid[], $2::uuid[], $3::uuid[]) AS t(r, i, c)`,
      [rows.map((r) => r.receiptId), rows.map((r) => r.installationId), rows.map((r) => r.credentialId)],
    );
    await client.query(
      `INSERT INTO outbox_events (id, exchange, routing_key, payload)
       SELECT gen_random_uuid(), $1, $2, p FROM unnest($3::jsonb[]) AS t(p)`,
      [EXCHANGE_OF[RoutingKey.VerificationRequested], RoutingKey.VerificationRequested, rows.map((r) => JSON.stringify(r.payload))],
    );
    await client.query('SELECT pg_notify($1, $2)', [OUTBOX_NOTIFY_CHANNEL, '']);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
  return rows.length;
}

/** Receipts the workers completed per second, between the 10th and 90th percentile completion. */
export async function workerThroughput(
  stack: PipelineStack,
  ids: string[],
): Promise<{ completed: number; failures: number; perSecond: number; steadyPerSecond: number }> {
  const { rows } = await stack.db.query<{ completed_at: Date | null; outcome: string | null; requested_at: Date }>(
    `SELECT completed_at, outcome, requested_at FROM verification_receipts WHERE installation_id = ANY($1::uuid[])`,
    [ids],
  );
  const done = rows
    .filter((r) => r.completed_at !== null)
    .map((r) => (r.completed_at as Date).getTime())
    .sort((a, b) => a - b);
  const first = Math.min(...rows.map((r) => r.requested_at.getTime()));
  const lo = Math.floor(done.length * 0.1);
  const hi = Math.floor(done.length * 0.9);
  const steady = done[hi] > done[lo] ? (hi - lo) / ((done[hi] - done[lo]) / 1000) : 0;
  const round = (v: number) => Math.round(v * 10) / 10;
  return {
    completed: done.length,
    failures: rows.filter((r) => r.outcome !== null && r.outcome !== 'success').length,
    perSecond: round(done.length / Math.max(0.001, ((done[done.length - 1] ?? first) - first) / 1000)),
    steadyPerSecond: round(steady),
  };
}
