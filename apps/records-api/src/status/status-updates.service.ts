import { Injectable, Logger } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import {
  CLAIM_MESSAGES_SQL,
  claimedDeliveries,
  DomainError,
  firstCopies,
  Batcher,
  isDatabaseUnavailable,
  isMessageId,
  isRoutingKey,
  parseEvent,
  RoutingKey,
  UnitOfWork,
  type ActorContext,
  type CredentialState,
  type Delivery,
  type Disposition,
  type InstallationStatus,
} from '@app/common';
import {
  applyStatusMessages,
  MissingRecord,
  type CredentialStateRow,
  type InstallationState,
  type StatusBatchOutcome,
  type StatusMessage,
} from './status-batch';

/** Inbox name in processed_messages. */
export const STATUS_CONSUMER = 'records-api.status';

/** Most status messages applied in one transaction (the consumer's prefetch bounds it too). */
export const STATUS_BATCH_MAX = 64;

/** The unit of work's own actor; every audit row of a batch names its message's actor instead. */
const STATUS_CONSUMER_ACTOR: ActorContext = { type: 'service', id: 'records-api.status-consumer' };

/**
 * Applies the worker's results and milestones to installations (records-api is the only writer of
 * installation state). The messages in hand are applied together (group commit): one transaction
 * writes their inbox rows, the installations' new state, the credential cut-overs and the audit
 * rows, so a redelivered message is recognised and skipped, and a backlog costs one commit per
 * batch instead of one per message. A message that can never apply is isolated and dead-lettered
 * without failing its neighbours.
 */
@Injectable()
export class StatusUpdatesService {
  private readonly logger = new Logger('StatusUpdates');
  private readonly batches = new Batcher<StatusMessage, void>((messages) => this.applyBatch(messages), {
    maxBatch: STATUS_BATCH_MAX,
    isolate: (error) => !isDatabaseUnavailable(error),
  });

  constructor(private readonly unitOfWork: UnitOfWork) {}

  async handle(delivery: Delivery): Promise<Disposition> {
    const messageId = delivery.messageId;
    if (!isMessageId(messageId)) return { kind: 'dead_letter', reason: 'message id is not a uuid' };
    const key = delivery.routingKey;
    if (!isRoutingKey(key) || (key !== RoutingKey.MilestoneReached && key !== RoutingKey.VerificationCompleted)) {
      return { kind: 'dead_letter', reason: `unexpected routing key ${key}` };
    }
    let message: StatusMessage;
    try {
      message =
        key === RoutingKey.MilestoneReached
          ? { messageId: messageId.toLowerCase(), routingKey: key, event: parseEvent(key, delivery.body) }
          : { messageId: messageId.toLowerCase(), routingKey: key, event: parseEvent(key, delivery.body) };
    } catch (error) {
      if (error instanceof DomainError && error.code === 'validation_failed') {
        return { kind: 'dead_letter', reason: `${error.message}: ${error.details.map((d) => `${d.path} ${d.message}`).join('; ')}` };
      }
      throw error;
    }
    try {
      await this.batches.submit(message);
      return { kind: 'ack' };
    } catch (error) {
      if (error instanceof MissingRecord) return { kind: 'dead_letter', reason: error.message };
      throw error;
    }
  }

  private async applyBatch(messages: StatusMessage[]): Promise<void[]> {
    const outcome = await this.unitOfWork.run(STATUS_CONSUMER_ACTOR, async (changes) => {
      const manager = changes.manager;
      const firstCopy = firstCopies(messages, (m) => m.messageId);
      const { claimed, installations } = await claimAndLock(
        manager,
        [...firstCopy.keys()],
        [...new Set(messages.map((m) => m.event.installationId))],
      );
      // The rest were applied by an earlier delivery or are a second copy in this batch: acked
      // without doing anything again.
      const fresh = [...claimedDeliveries(firstCopy, claimed)];
      if (fresh.length === 0) return null;
      const named = fresh.filter((m) => m.event.credentialVersionId);
      const credentials = await loadCredentials(
        manager,
        [...new Set(named.map((m) => m.event.credentialVersionId as string))],
        [...new Set(named.map((m) => m.event.installationId))],
      );
      const result = applyStatusMessages(fresh, installations, credentials);
      await writeOutcome(manager, result);
      for (const { actor, entry } of result.audit) changes.auditAs(actor, entry);
      return result;
    });
    for (const refusal of outcome?.refusals ?? []) this.logger.warn(refusal);
    return messages.map(() => undefined);
  }
}

/**
 * Claims the messages (inbox) and locks the installations of the batch, in id order, in one
 * statement: two consumers (replicas) locking overlapping batches take the locks in the same order
 * and cannot deadlock. Every installation of the batch is locked, duplicates' too: they are the
 * same installations in all but rare cases, and locking one more row is cheaper than a second
 * round trip. Read here, the locked rows are current (a row lock waits for its holder's commit and
 * answers the newest version); what depends on them is read in later statements. Not prepared: a
 * generic plan made while the installations table was small would keep scanning it.
 */
const CLAIM_AND_LOCK = `WITH claimed AS (${CLAIM_MESSAGES_SQL}),
        locked AS (SELECT id, status, status_changed_at, authenticated_at, initial_sync_completed_at, auth_failed_at, degraded_at,
                          last_verified_at, consecutive_transient_failures
                     FROM installations WHERE id = ANY($3::uuid[]) ORDER BY id FOR UPDATE)
   SELECT c.claimed, l.* FROM (SELECT array_agg(message_id) AS claimed FROM claimed) c LEFT JOIN locked l ON true`;

async function claimAndLock(
  manager: EntityManager,
  messageIds: string[],
  installationIds: string[],
): Promise<{ claimed: Set<string>; installations: Map<string, InstallationState> }> {
  const rows: Array<{
    claimed: string[] | null;
    id: string | null;
    status: InstallationStatus;
    status_changed_at: Date;
    authenticated_at: Date | null;
    initial_sync_completed_at: Date | null;
    auth_failed_at: Date | null;
    degraded_at: Date | null;
    last_verified_at: Date | null;
    consecutive_transient_failures: number;
  }> = await manager.query(CLAIM_AND_LOCK, [STATUS_CONSUMER, messageIds, installationIds]);
  const installations = new Map<string, InstallationState>();
  for (const r of rows) {
    if (r.id === null) continue;
    installations.set(r.id, {
      id: r.id,
      status: r.status,
      statusChangedAt: r.status_changed_at,
      authenticatedAt: r.authenticated_at,
      initialSyncCompletedAt: r.initial_sync_completed_at,
      authFailedAt: r.auth_failed_at,
      degradedAt: r.degraded_at,
      lastVerifiedAt: r.last_verified_at,
      consecutiveTransientFailures: r.consecutive_transient_failures,
    });
  }
  return { claimed: new Set(rows[0]?.claimed ?? []), installations };
}

/**
 * The credentials the messages name, plus the active ones of their installations (a cut-over
 * supersedes those): two index conditions PostgreSQL combines (BitmapOr). Not prepared: a batch
 * runs it once, and its plan should see how many ids the batch holds.
 */
const LOAD_CREDENTIALS = `SELECT id, installation_id, version, state FROM credential_versions
   WHERE id = ANY($1::uuid[]) OR (installation_id = ANY($2::uuid[]) AND state = 'active')`;

async function loadCredentials(manager: EntityManager, ids: string[], installationIds: string[]): Promise<Map<string, CredentialStateRow>> {
  if (ids.length === 0) return new Map();
  const rows: Array<{ id: string; installation_id: string; version: number; state: CredentialState }> = await manager.query(
    LOAD_CREDENTIALS,
    [ids, installationIds],
  );
  return new Map(rows.map((r) => [r.id, { id: r.id, installationId: r.installation_id, version: r.version, state: r.state }]));
}

/**
 * Not prepared: a generic plan cannot see how many rows the unnest arrays hold and may join them
 * by scanning whole tables (see PreparedStatement); planned per call it looks up each id.
 *
 * Every write of a batch in one statement: the credential cut-overs, then the installations.
 * Each cut-over: the verified version ($2) becomes active, every other active version of its
 * installation ($1) is superseded. They are applied in batch order, so of two cut-overs of one
 * installation in one batch the later wins ($3: the earlier ones, verified and replaced at once:
 * active for an instant). The three credential updates touch disjoint rows (active ones; pending
 * winners; pending overtaken ones), so one statement's snapshot does for all of them. The row
 * version of an installation moves only with its status.
 */
const WRITE_OUTCOME = `WITH superseded AS (
       UPDATE credential_versions c SET state = 'superseded', superseded_at = now()
         FROM unnest($1::uuid[], $2::uuid[]) AS t(installation_id, keep_id)
        WHERE c.installation_id = t.installation_id AND c.state = 'active' AND c.id <> t.keep_id
     ), overtaken AS (
       UPDATE credential_versions SET state = 'superseded', verified_at = now(), superseded_at = now()
        WHERE id = ANY($3::uuid[]) AND state = 'pending'
     ), activated AS (
       UPDATE credential_versions SET state = 'active', verified_at = now() WHERE id = ANY($2::uuid[]) AND state = 'pending'
     )
     UPDATE installations i
        SET status = t.status, status_changed_at = t.status_changed_at, authenticated_at = t.authenticated_at,
            initial_sync_completed_at = t.initial_sync_completed_at, auth_failed_at = t.auth_failed_at,
            degraded_at = t.degraded_at, last_verified_at = t.last_verified_at,
            consecutive_transient_failures = t.consecutive_transient_failures,
            version = i.version + CASE WHEN t.status_moved THEN 1 ELSE 0 END,
            updated_at = CASE WHEN t.status_moved THEN now() ELSE i.updated_at END
       FROM unnest($4::uuid[], $5::text[], $6::timestamptz[], $7::timestamptz[], $8::timestamptz[], $9::timestamptz[],
                   $10::timestamptz[], $11::timestamptz[], $12::int[], $13::boolean[])
            AS t(id, status, status_changed_at, authenticated_at, initial_sync_completed_at, auth_failed_at, degraded_at,
                 last_verified_at, consecutive_transient_failures, status_moved)
      WHERE i.id = t.id`;

async function writeOutcome(manager: EntityManager, { cutOvers, installations }: StatusBatchOutcome): Promise<void> {
  if (cutOvers.length === 0 && installations.length === 0) return;
  const last = new Map(cutOvers.map((c) => [c.installationId, c]));
  const winners = [...last.values()];
  const overtaken = cutOvers.filter((c) => last.get(c.installationId) !== c).map((c) => c.id);
  const iso = (value: Date | null) => (value === null ? null : value.toISOString());
  const column = <T>(pick: (s: InstallationState) => T) => installations.map((r) => pick(r.state));
  await manager.query(WRITE_OUTCOME, [
    winners.map((c) => c.installationId),
    winners.map((c) => c.id),
    overtaken,
    column((s) => s.id),
    column((s) => s.status),
    column((s) => iso(s.statusChangedAt)),
    column((s) => iso(s.authenticatedAt)),
    column((s) => iso(s.initialSyncCompletedAt)),
    column((s) => iso(s.authFailedAt)),
    column((s) => iso(s.degradedAt)),
    column((s) => iso(s.lastVerifiedAt)),
    column((s) => s.consecutiveTransientFailures),
    installations.map((r) => r.statusMoved),
  ]);
}
