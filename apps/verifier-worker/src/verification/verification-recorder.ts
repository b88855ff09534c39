import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import {
  CLAIM_MESSAGES_SQL,
  firstCopies,
  getVendorTemplate,
  Batcher,
  isDatabaseUnavailable,
  RoutingKey,
  UnitOfWork,
  type ActorContext,
  type CredentialState,
  type InstallationStatus,
  type Vendor,
  type VerificationRequestedEvent,
} from '@app/common';
import type { CheckResult } from './check-result';
import { milestonesFor } from './milestone-policy';

/** Inbox name in processed_messages. */
export const VERIFICATION_CONSUMER = 'verifier-worker.verification-requests';

/** Most checks recorded in one transaction (the prefetch bounds it too). */
const RECORD_BATCH_MAX = 100;

/** The unit of work's own actor; every audit row names the worker that ran its check. */
const RECORDER_ACTOR: ActorContext = { type: 'service', id: 'verifier-worker.recorder' };

export interface CheckContext {
  messageId: string;
  workerId: string;
  startedAt: Date;
  attempts: number;
}

/** One finished check waiting to be recorded. */
export interface CheckRecord {
  event: VerificationRequestedEvent;
  result: CheckResult;
  context: CheckContext;
}

/** `recorded`: this delivery completed the receipt; `duplicate`: an earlier delivery already had (ack, nothing written). */
export type RecordOutcome = 'recorded' | 'duplicate';

/**
 * Completes receipts with their inbox rows, audit rows and the outgoing verification.completed
 * events (milestones inside, through the outbox), in one transaction per group of checks: the
 * checks that finish while a commit is running share the next one (Batcher). A duplicate
 * delivery, or a receipt another delivery completed first, writes nothing.
 */
@Injectable()
export class VerificationRecorder {
  private readonly batches = new Batcher<CheckRecord, RecordOutcome>((records) => this.recordBatch(records), {
    maxBatch: RECORD_BATCH_MAX,
    isolate: (error) => !isDatabaseUnavailable(error),
    // Checks are independent (each its own receipt): a second batch may commit while the first
    // does, so a finished check does not wait for a commit it is not part of.
    concurrency: 2,
  });

  constructor(private readonly unitOfWork: UnitOfWork) {}

  record(event: VerificationRequestedEvent, result: CheckResult, context: CheckContext): Promise<RecordOutcome> {
    return this.batches.submit({ event, result, context: { ...context, messageId: context.messageId.toLowerCase() } });
  }

  private async recordBatch(records: CheckRecord[]): Promise<RecordOutcome[]> {
    const recorded = await this.unitOfWork.run(RECORDER_ACTOR, async (changes) => {
      const manager = changes.manager;
      const completedAt = new Date();
      const { checks, facts } = await completeReceipts(manager, records, completedAt);
      for (const { event, result, context } of checks) {
        const fact = facts.get(event.receiptId);
        if (!fact || fact.credentialId !== event.credentialVersionId || fact.installationId !== event.installationId) {
          throw new Error(`installation ${event.installationId} or credential ${event.credentialVersionId} no longer exists`);
        }
        const threshold = getVendorTemplate(fact.vendor).degradedThreshold;
        const milestones = milestonesFor({
          result,
          credentialState: fact.credentialState,
          status: fact.status,
          consecutiveTransientFailures: result.transient ? await consecutiveTransientFailures(manager, event.installationId, threshold) : 0,
          degradedThreshold: threshold,
        });
        const actor: ActorContext = { type: 'service', id: context.workerId, requestId: event.actor.requestId ?? null };
        changes.auditAs(actor, {
          action: 'verification.completed',
          targetType: 'installation',
          targetId: event.installationId,
          outcome: result.outcome === 'success' ? 'success' : 'failure',
          metadata: {
            receiptId: event.receiptId,
            credentialVersion: fact.credentialVersion,
            trigger: event.trigger,
            failureClass: result.failureClass,
            httpStatus: result.httpStatus,
            probe: result.probe,
            milestones,
          },
        });
        changes.publish({
          routingKey: RoutingKey.VerificationCompleted,
          payload: {
            installationId: event.installationId,
            occurredAt: completedAt.toISOString(),
            actor: { type: 'service', id: context.workerId, requestId: event.actor.requestId ?? null },
            receiptId: event.receiptId,
            credentialVersionId: event.credentialVersionId,
            outcome: result.outcome,
            failureClass: result.failureClass,
            milestones,
            expectedStatus: fact.status,
          },
        });
      }
      return new Set(checks);
    });
    return records.map((r) => (recorded.has(r) ? 'recorded' : 'duplicate'));
  }
}

/**
 * Not prepared: a generic plan cannot see how many rows the unnest holds and, with many receipts in
 * the table, joins them by a scan of the whole table; planned per call it looks up each id.
 *
 * Claims the deliveries (inbox), completes their queued receipts and reads what the milestone
 * policy needs of each completed one, in one statement (a round trip each was most of a small
 * batch's cost). Of the claimed deliveries, the first of each receipt ($3…: in batch order)
 * completes it: two messages asking to verify one receipt make one completion. A receipt another
 * delivery completed first is left alone (`state = 'queued'`).
 */
const COMPLETE_RECEIPTS = `WITH claimed AS (${CLAIM_MESSAGES_SQL}),
     chosen AS (
       SELECT DISTINCT ON (t.id) t.*
         FROM unnest($3::uuid[], $4::uuid[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::int[],
                     $12::int[], $13::text[], $14::timestamptz[])
              WITH ORDINALITY AS t(message_id, id, outcome, failure_class, detail, probe_method, probe_host, probe_path, http_status,
                                   latency_ms, worker_id, started_at, position)
        WHERE t.message_id IN (SELECT message_id FROM claimed)
        ORDER BY t.id, t.position
     ),
     completed AS (
       UPDATE verification_receipts r
          SET state = 'completed', outcome = t.outcome, failure_class = t.failure_class, detail = t.detail,
              probe_method = t.probe_method, probe_host = t.probe_host, probe_path = t.probe_path,
              http_status = t.http_status, latency_ms = t.latency_ms, worker_id = t.worker_id,
              started_at = t.started_at, completed_at = $15
         FROM chosen t
        WHERE r.id = t.id AND r.state = 'queued'
        RETURNING t.message_id, r.id, r.credential_version_id
     )
SELECT d.message_id, d.id AS receipt_id, c.id AS credential_id, c.installation_id, i.vendor, i.status, c.version, c.state
  FROM completed d
  LEFT JOIN credential_versions c ON c.id = d.credential_version_id
  LEFT JOIN installations i ON i.id = c.installation_id`;

/** What the milestone policy needs of a completed receipt's installation and credential. */
interface CheckFacts {
  credentialId: string | null;
  installationId: string | null;
  vendor: Vendor;
  status: InstallationStatus;
  credentialVersion: number;
  credentialState: CredentialState;
}

/**
 * Claims, completes and reads in one statement (COMPLETE_RECEIPTS). Answers the checks that
 * completed their receipt, in batch order, with their facts by receipt id; the other records were
 * duplicates (an earlier delivery of the message, or of another message for the same receipt).
 */
async function completeReceipts(
  manager: EntityManager,
  records: CheckRecord[],
  completedAt: Date,
): Promise<{ checks: CheckRecord[]; facts: Map<string, CheckFacts> }> {
  const firstCopy = firstCopies(records, (r) => r.context.messageId);
  const candidates = [...firstCopy.values()];
  const column = <T>(pick: (r: CheckRecord) => T) => candidates.map(pick);
  const rows: Array<{
    message_id: string;
    receipt_id: string;
    credential_id: string | null;
    installation_id: string | null;
    vendor: Vendor;
    status: InstallationStatus;
    version: number;
    state: CredentialState;
  }> = await manager.query(COMPLETE_RECEIPTS, [
    VERIFICATION_CONSUMER,
    [...firstCopy.keys()],
    column((r) => r.context.messageId),
    column((r) => r.event.receiptId),
    column((r) => r.result.outcome),
    column((r) => r.result.failureClass),
    column((r) => detailOf(r).slice(0, 1000)),
    column((r) => r.result.probe?.method ?? null),
    column((r) => r.result.probe?.host ?? null),
    column((r) => r.result.probe?.path ?? null),
    column((r) => r.result.httpStatus),
    column((r) => r.result.latencyMs),
    column((r) => r.context.workerId),
    column((r) => r.context.startedAt.toISOString()),
    completedAt.toISOString(),
  ]);
  const completedBy = new Set(rows.map((row) => row.message_id));
  const facts = new Map(
    rows.map((r) => [
      r.receipt_id,
      {
        credentialId: r.credential_id,
        installationId: r.installation_id,
        vendor: r.vendor,
        status: r.status,
        credentialVersion: r.version,
        credentialState: r.state,
      },
    ]),
  );
  return { checks: candidates.filter((r) => completedBy.has(r.context.messageId)), facts };
}

function detailOf({ result, context }: CheckRecord): string {
  return context.attempts > 1 ? `${result.detail} (after ${context.attempts} attempts)` : result.detail;
}

/** Counts, newest first, the completed receipts that ended in a transient failure (up to `limit`). */
async function consecutiveTransientFailures(manager: EntityManager, installationId: string, limit: number): Promise<number> {
  const rows: Array<{ failure_class: string | null }> = await manager.query(
    `SELECT failure_class FROM verification_receipts WHERE installation_id = $1 AND state = 'completed'
      ORDER BY completed_at DESC, id DESC LIMIT $2`,
    [installationId, limit],
  );
  const transient = new Set(['throttled', 'vendor_error', 'network']);
  const firstOther = rows.findIndex((row) => !transient.has(row.failure_class ?? ''));
  return firstOther === -1 ? rows.length : firstOther;
}
