import type { EntityManager } from 'typeorm';

/** Advisory lock key: one replica plans per tick; the others skip that tick. */
export const SCHEDULER_LOCK_KEY = 4_242_101;

export interface DueCheck {
  installationId: string;
  credentialVersionId: string;
}

/**
 * How many checks one tick may queue: the live population spread evenly over the interval, so a
 * bulk import (or a worker outage) turns into a steady trickle instead of a burst at the partner.
 */
export function checksPerTick(liveInstallations: number, tickMs: number, intervalMs: number): number {
  if (liveInstallations === 0) return 0;
  return Math.max(1, Math.ceil((liveInstallations * tickMs) / intervalMs));
}

/**
 * Live installations whose last requested check (any trigger) is older than the interval, oldest
 * first, with their active credential. Receipts, not installations.last_verified_at, are the clock:
 * they are written in the worker's own transactions, so there is no window in which a completed
 * check is not yet visible. An installation with a check still queued is skipped.
 */
export async function findDueChecks(manager: EntityManager, intervalMs: number, limit: number): Promise<DueCheck[]> {
  const rows: Array<{ installation_id: string; credential_id: string }> = await manager.query(
    `SELECT i.id AS installation_id, c.id AS credential_id
       FROM installations i
       JOIN credential_versions c ON c.installation_id = i.id AND c.state = 'active'
       CROSS JOIN LATERAL (SELECT max(r.requested_at) AS at FROM verification_receipts r WHERE r.installation_id = i.id) last_check
      WHERE i.status IN ('authenticated', 'active', 'degraded')
        AND COALESCE(last_check.at, i.created_at) <= now() - make_interval(secs => $1::double precision / 1000)
        AND NOT EXISTS (SELECT 1 FROM verification_receipts r WHERE r.installation_id = i.id AND r.state = 'queued')
      ORDER BY COALESCE(last_check.at, i.created_at)
      LIMIT $2
      FOR UPDATE OF i SKIP LOCKED`,
    [intervalMs, limit],
  );
  return rows.map((r) => ({ installationId: r.installation_id, credentialVersionId: r.credential_id }));
}

export async function countLiveInstallations(manager: EntityManager): Promise<number> {
  const [row] = await manager.query(`SELECT count(*)::int AS n FROM installations WHERE status IN ('authenticated', 'active', 'degraded')`);
  return (row as { n: number }).n;
}
