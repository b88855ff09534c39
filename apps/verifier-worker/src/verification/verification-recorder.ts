import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import {
  claimMessage,
  CredentialVersion,
  DuplicateMessage,
  getVendorTemplate,
  Installation,
  RoutingKey,
  UnitOfWork,
  VerificationReceipt,
  type ActorContext,
  type Vendor,
  type VerificationRequestedEvent,
} from '@app/common';
import type { CheckResult } from './check-result';
import { milestonesFor } from './milestone-policy';

/** Inbox name in processed_messages. */
export const VERIFICATION_CONSUMER = 'verifier-worker.verification-requests';

export interface CheckContext {
  messageId: string;
  workerId: string;
  startedAt: Date;
  attempts: number;
}

/**
 * Completes a receipt in one transaction with the inbox row, the audit row and the outgoing
 * events (verification.completed + milestones through the outbox). A duplicate delivery, or a
 * receipt another delivery completed first, rolls everything back.
 */
@Injectable()
export class VerificationRecorder {
  constructor(private readonly unitOfWork: UnitOfWork) {}

  async record(event: VerificationRequestedEvent, result: CheckResult, context: CheckContext): Promise<void> {
    const actor: ActorContext = { type: 'service', id: context.workerId, requestId: event.actor.requestId ?? null };
    await this.unitOfWork.run(actor, async (changes) => {
      const manager = changes.manager;
      if (!(await claimMessage(manager, VERIFICATION_CONSUMER, context.messageId))) throw new DuplicateMessage();
      const completedAt = new Date();
      const detail = context.attempts > 1 ? `${result.detail} (after ${context.attempts} attempts)` : result.detail;
      const updated = await manager
        .createQueryBuilder()
        .update(VerificationReceipt)
        .set({
          state: 'completed',
          outcome: result.outcome,
          failureClass: result.failureClass,
          detail: detail.slice(0, 1000),
          probeMethod: result.probe?.method ?? null,
          probeHost: result.probe?.host ?? null,
          probePath: result.probe?.path ?? null,
          httpStatus: result.httpStatus,
          latencyMs: result.latencyMs,
          workerId: context.workerId,
          startedAt: context.startedAt,
          completedAt,
        })
        .where('id = :id AND state = :queued', { id: event.receiptId, queued: 'queued' })
        .execute();
      if (updated.affected !== 1) throw new DuplicateMessage();

      const installation = await manager.findOneOrFail(Installation, { where: { id: event.installationId } });
      const credential = await manager.findOneOrFail(CredentialVersion, { where: { id: event.credentialVersionId } });
      const threshold = getVendorTemplate(installation.vendor as Vendor).degradedThreshold;
      const milestones = milestonesFor({
        result,
        credentialState: credential.state,
        status: installation.status,
        consecutiveTransientFailures: result.transient ? await consecutiveTransientFailures(manager, installation.id, threshold) : 0,
        degradedThreshold: threshold,
      });
      changes.audit({
        action: 'verification.completed',
        targetType: 'installation',
        targetId: installation.id,
        outcome: result.outcome === 'success' ? 'success' : 'failure',
        metadata: {
          receiptId: event.receiptId,
          credentialVersion: credential.version,
          trigger: event.trigger,
          failureClass: result.failureClass,
          httpStatus: result.httpStatus,
          probe: result.probe,
          milestones,
        },
      });
      const eventActor = { type: 'service' as const, id: context.workerId, requestId: event.actor.requestId ?? null };
      const base = { installationId: installation.id, occurredAt: completedAt.toISOString(), actor: eventActor };
      changes.publish({
        routingKey: RoutingKey.VerificationCompleted,
        payload: {
          ...base,
          receiptId: event.receiptId,
          credentialVersionId: credential.id,
          outcome: result.outcome,
          failureClass: result.failureClass,
        },
      });
      for (const milestone of milestones) {
        changes.publish({
          routingKey: RoutingKey.MilestoneReached,
          payload: {
            ...base,
            milestone,
            receiptId: event.receiptId,
            credentialVersionId: credential.id,
            expectedStatus: installation.status,
          },
        });
      }
    });
  }
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
