import type { FaultPipeline } from './fault-pipeline';

/**
 * What the pipeline left behind, counted from the database and the broker. "Exactly once" means:
 * every installation active with one completed receipt, one verification.completed audit row and
 * one milestone audit row per milestone reached; every outbox row (both apps') sent; nothing
 * dead-lettered.
 */
export interface Ledger {
  installations: number;
  active: number;
  notActive: Record<string, number>;
  /** Installations whose status is active but a milestone stamp is missing. */
  missingMilestoneStamps: number;
  receipts: number;
  receiptsNotCompleted: number;
  receiptsNotSuccessful: number;
  /** Installations without exactly one receipt. */
  installationsWithoutReceipt: number;
  installationsWithSeveralReceipts: number;
  credentialsNotActive: number;
  /** audit: verification.completed per installation. */
  completionAuditMissing: number;
  completionAuditDuplicated: number;
  /** audit: milestone.reached per installation and milestone. */
  milestoneAuditRows: number;
  milestoneAuditDuplicated: number;
  /** Active installations without the initial_sync_complete milestone row (the one that activates). */
  activationAuditMissing: number;
  /** worker outbox: more than one verification.completed / milestone.reached event per receipt (and milestone). */
  completionEventsDuplicated: number;
  milestoneEventsDuplicated: number;
  outboxRows: number;
  outboxPending: number;
  outboxPendingByKey: Record<string, number>;
  deadLetters: number;
  receiptsByWorker: Record<string, number>;
}

const n = async (p: FaultPipeline, sql: string): Promise<number> => Number((await p.db.query(sql)).rows[0].n);

export async function readLedger(p: FaultPipeline): Promise<Ledger> {
  const statuses = (await p.db.query(`SELECT status, count(*)::int AS n FROM installations GROUP BY status`)).rows as Array<{
    status: string;
    n: number;
  }>;
  const pendingByKey = (
    await p.db.query(`SELECT routing_key, count(*)::int AS n FROM outbox_events WHERE sent_at IS NULL GROUP BY routing_key`)
  ).rows as Array<{ routing_key: string; n: number }>;
  const byWorker = (
    await p.db.query(`SELECT coalesce(worker_id, '-') AS w, count(*)::int AS n FROM verification_receipts GROUP BY 1 ORDER BY 1`)
  ).rows as Array<{ w: string; n: number }>;
  return {
    installations: statuses.reduce((sum, s) => sum + s.n, 0),
    active: statuses.find((s) => s.status === 'active')?.n ?? 0,
    notActive: Object.fromEntries(statuses.filter((s) => s.status !== 'active').map((s) => [s.status, s.n])),
    missingMilestoneStamps: await n(
      p,
      `SELECT count(*) AS n FROM installations WHERE status = 'active' AND (authenticated_at IS NULL OR initial_sync_completed_at IS NULL)`,
    ),
    receipts: await n(p, `SELECT count(*) AS n FROM verification_receipts`),
    receiptsNotCompleted: await n(p, `SELECT count(*) AS n FROM verification_receipts WHERE state <> 'completed'`),
    receiptsNotSuccessful: await n(p, `SELECT count(*) AS n FROM verification_receipts WHERE outcome IS DISTINCT FROM 'success'`),
    installationsWithoutReceipt: await n(
      p,
      `SELECT count(*) AS n FROM installations i WHERE NOT EXISTS (SELECT 1 FROM verification_receipts r WHERE r.installation_id = i.id)`,
    ),
    installationsWithSeveralReceipts: await n(
      p,
      `SELECT count(*) AS n FROM (SELECT installation_id FROM verification_receipts GROUP BY 1 HAVING count(*) > 1) d`,
    ),
    credentialsNotActive: await n(p, `SELECT count(*) AS n FROM credential_versions WHERE state <> 'active'`),
    completionAuditMissing: await n(
      p,
      `SELECT count(*) AS n FROM installations i WHERE NOT EXISTS
         (SELECT 1 FROM audit_events a WHERE a.action = 'verification.completed' AND a.target_id = i.id::text)`,
    ),
    completionAuditDuplicated: await n(
      p,
      `SELECT count(*) AS n FROM (SELECT target_id FROM audit_events WHERE action = 'verification.completed' GROUP BY 1 HAVING count(*) > 1) d`,
    ),
    milestoneAuditRows: await n(p, `SELECT count(*) AS n FROM audit_events WHERE action = 'milestone.reached'`),
    milestoneAuditDuplicated: await n(
      p,
      `SELECT count(*) AS n FROM (SELECT target_id, metadata->>'milestone' FROM audit_events WHERE action = 'milestone.reached'
         GROUP BY 1, 2 HAVING count(*) > 1) d`,
    ),
    activationAuditMissing: await n(
      p,
      `SELECT count(*) AS n FROM installations i WHERE i.status = 'active' AND NOT EXISTS
         (SELECT 1 FROM audit_events a WHERE a.action = 'milestone.reached' AND a.target_id = i.id::text
            AND a.metadata->>'milestone' = 'initial_sync_complete')`,
    ),
    completionEventsDuplicated: await n(
      p,
      `SELECT count(*) AS n FROM (SELECT payload->>'receiptId' FROM outbox_events WHERE routing_key = 'verification.completed.v1'
         GROUP BY 1 HAVING count(*) > 1) d`,
    ),
    milestoneEventsDuplicated: await n(
      p,
      `SELECT count(*) AS n FROM (SELECT payload->>'receiptId', payload->>'milestone' FROM outbox_events
         WHERE routing_key = 'milestone.reached.v1' GROUP BY 1, 2 HAVING count(*) > 1) d`,
    ),
    outboxRows: await n(p, `SELECT count(*) AS n FROM outbox_events`),
    outboxPending: pendingByKey.reduce((sum, r) => sum + r.n, 0),
    outboxPendingByKey: Object.fromEntries(pendingByKey.map((r) => [r.routing_key, r.n])),
    deadLetters: (await p.queueState(p.topology.deadLetters)).messages,
    receiptsByWorker: Object.fromEntries(byWorker.map((r) => [r.w, r.n])),
  };
}

/** The zero-loss, zero-duplicate expectation for `expected` installations created with credentials. */
export function expectExactlyOnce(ledger: Ledger, expected: number): void {
  expect({
    installations: ledger.installations,
    active: ledger.active,
    notActive: ledger.notActive,
    receipts: ledger.receipts,
  }).toEqual({ installations: expected, active: expected, notActive: {}, receipts: expected });
  expect({
    missingMilestoneStamps: ledger.missingMilestoneStamps,
    receiptsNotCompleted: ledger.receiptsNotCompleted,
    receiptsNotSuccessful: ledger.receiptsNotSuccessful,
    installationsWithoutReceipt: ledger.installationsWithoutReceipt,
    installationsWithSeveralReceipts: ledger.installationsWithSeveralReceipts,
    credentialsNotActive: ledger.credentialsNotActive,
    completionAuditMissing: ledger.completionAuditMissing,
    completionAuditDuplicated: ledger.completionAuditDuplicated,
    milestoneAuditDuplicated: ledger.milestoneAuditDuplicated,
    activationAuditMissing: ledger.activationAuditMissing,
    completionEventsDuplicated: ledger.completionEventsDuplicated,
    milestoneEventsDuplicated: ledger.milestoneEventsDuplicated,
    outboxPending: ledger.outboxPending,
    deadLetters: ledger.deadLetters,
  }).toEqual({
    missingMilestoneStamps: 0,
    receiptsNotCompleted: 0,
    receiptsNotSuccessful: 0,
    installationsWithoutReceipt: 0,
    installationsWithSeveralReceipts: 0,
    credentialsNotActive: 0,
    completionAuditMissing: 0,
    completionAuditDuplicated: 0,
    milestoneAuditDuplicated: 0,
    activationAuditMissing: 0,
    completionEventsDuplicated: 0,
    milestoneEventsDuplicated: 0,
    outboxPending: 0,
    deadLetters: 0,
  });
}

/** One line per scenario in the jest output, for the record. */
export function report(label: string, facts: Record<string, unknown>): void {
  process.stdout.write(`\n[faults] ${label}: ${JSON.stringify(facts)}\n`);
}
