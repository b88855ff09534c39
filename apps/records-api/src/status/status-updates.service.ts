import { Injectable, Logger } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import {
  claimMessage,
  CredentialVersion,
  DomainError,
  DuplicateMessage,
  Installation,
  isMessageId,
  isRoutingKey,
  parseEvent,
  PoisonMessage,
  RoutingKey,
  UnitOfWork,
  type ActorContext,
  type ChangeSet,
  type Delivery,
  type Disposition,
  type MilestoneReachedEvent,
  type VerificationCompletedEvent,
} from '@app/common';
import { decideMilestone, MILESTONE_TIMESTAMP } from './status-machine';

/** Inbox name in processed_messages. */
export const STATUS_CONSUMER = 'records-api.status';

type MilestoneUpdate = Pick<Installation, 'status' | 'statusChangedAt'> &
  Partial<
    Pick<Installation, 'authenticatedAt' | 'initialSyncCompletedAt' | 'authFailedAt' | 'degradedAt' | 'consecutiveTransientFailures'>
  >;

const TRANSIENT = new Set<string>(['throttled', 'vendor_error', 'network']);

/**
 * Applies the worker's results and milestones to installations (records-api is the only writer of
 * installation state). One transaction per message: the inbox row, the state change and its
 * audit rows commit together, so a redelivered message is recognised and skipped.
 */
@Injectable()
export class StatusUpdatesService {
  private readonly logger = new Logger('StatusUpdates');

  constructor(private readonly unitOfWork: UnitOfWork) {}

  async handle(delivery: Delivery): Promise<Disposition> {
    const messageId = delivery.messageId;
    if (!isMessageId(messageId)) return { kind: 'dead_letter', reason: 'message id is not a uuid' };
    const key = delivery.routingKey;
    if (!isRoutingKey(key) || (key !== RoutingKey.MilestoneReached && key !== RoutingKey.VerificationCompleted)) {
      return { kind: 'dead_letter', reason: `unexpected routing key ${key}` };
    }
    try {
      const event = parseEvent(key, delivery.body);
      const actor: ActorContext = { type: 'service', id: event.actor.id, requestId: event.actor.requestId ?? null };
      await this.unitOfWork.run(actor, async (changes) => {
        if (!(await claimMessage(changes.manager, STATUS_CONSUMER, messageId))) throw new DuplicateMessage();
        if (key === RoutingKey.MilestoneReached) await this.applyMilestone(changes, event as MilestoneReachedEvent, messageId);
        else await this.applyCompletion(changes.manager, event as VerificationCompletedEvent);
      });
      return { kind: 'ack' };
    } catch (error) {
      if (error instanceof DuplicateMessage) return { kind: 'ack' };
      if (error instanceof PoisonMessage) return { kind: 'dead_letter', reason: error.message };
      if (error instanceof DomainError && error.code === 'validation_failed') {
        return { kind: 'dead_letter', reason: `${error.message}: ${error.details.map((d) => `${d.path} ${d.message}`).join('; ')}` };
      }
      throw error;
    }
  }

  /** Bookkeeping only; the worker wrote the receipt and its audit row. */
  private async applyCompletion(manager: EntityManager, event: VerificationCompletedEvent): Promise<void> {
    const transient = event.outcome === 'failure' && TRANSIENT.has(event.failureClass ?? '');
    const partnerAnswered = event.outcome === 'success' || Boolean(event.failureClass);
    await manager.query(
      `UPDATE installations SET last_verified_at = GREATEST(COALESCE(last_verified_at, $2::timestamptz), $2::timestamptz),
         consecutive_transient_failures = CASE WHEN $3 THEN consecutive_transient_failures + 1 WHEN $4 THEN 0 ELSE consecutive_transient_failures END
       WHERE id = $1`,
      [event.installationId, event.occurredAt, transient, partnerAnswered && !transient],
    );
  }

  private async applyMilestone(changes: ChangeSet, event: MilestoneReachedEvent, messageId: string): Promise<void> {
    const manager = changes.manager;
    const installation = await manager.findOne(Installation, { where: { id: event.installationId }, lock: { mode: 'pessimistic_write' } });
    if (!installation) throw new PoisonMessage(`installation ${event.installationId} not found`);
    const credential = event.credentialVersionId
      ? await manager.findOne(CredentialVersion, { where: { id: event.credentialVersionId, installationId: installation.id } })
      : null;
    if (event.credentialVersionId && !credential) throw new PoisonMessage(`credential ${event.credentialVersionId} not found`);
    // A result about a credential that was replaced meanwhile says nothing about the current one.
    if (credential && credential.state !== 'pending' && credential.state !== 'active') {
      return this.refuse(installation, event, messageId, `credential version ${credential.version} is ${credential.state}`);
    }
    const decision = decideMilestone(installation.status, event.milestone, installation.initialSyncCompletedAt !== null);
    if (decision.kind === 'refused') return this.refuse(installation, event, messageId, decision.reason);
    const provesCredential = event.milestone === 'authenticated' || event.milestone === 'initial_sync_complete';
    if (provesCredential && credential?.state === 'pending') await this.cutOver(changes, credential);
    if (decision.kind === 'unchanged') return;

    const at = new Date(event.occurredAt);
    const update: MilestoneUpdate = { status: decision.to, statusChangedAt: at };
    const stamp = MILESTONE_TIMESTAMP[decision.to];
    if (stamp) update[stamp] = at;
    if (decision.to === 'active' && installation.authenticatedAt === null) update.authenticatedAt = at;
    if (event.milestone === 'recovered') update.consecutiveTransientFailures = 0;
    await manager.update(Installation, { id: installation.id }, update);
    changes.audit({
      action: 'milestone.reached',
      targetType: 'installation',
      targetId: installation.id,
      changes: [{ field: 'status', before: installation.status, after: decision.to }],
      metadata: { milestone: event.milestone, receiptId: event.receiptId ?? null, eventId: messageId },
    });
  }

  /** Test before cutover: the verified version becomes active, the one it replaces is superseded. */
  private async cutOver(changes: ChangeSet, credential: CredentialVersion): Promise<void> {
    const manager = changes.manager;
    await manager.query(
      `UPDATE credential_versions SET state = 'superseded', superseded_at = now() WHERE installation_id = $1 AND state = 'active' AND id <> $2`,
      [credential.installationId, credential.id],
    );
    await manager.query(`UPDATE credential_versions SET state = 'active', verified_at = now() WHERE id = $1 AND state = 'pending'`, [
      credential.id,
    ]);
  }

  private refuse(installation: Installation, event: MilestoneReachedEvent, messageId: string, reason: string): void {
    this.logger.warn(`milestone ${event.milestone} for installation ${installation.id} refused (event ${messageId}): ${reason}`);
  }
}
