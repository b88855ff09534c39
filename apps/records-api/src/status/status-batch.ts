import {
  RoutingKey,
  type ActorContext,
  type AuditEntry,
  type CredentialState,
  type InstallationStatus,
  type Milestone,
  type MilestoneReachedEvent,
  type VerificationCompletedEvent,
} from '@app/common';
import { decideMilestone, MILESTONE_TIMESTAMP } from './status-machine';

/** One validated message of `installations.status`. */
export type StatusMessage =
  | { messageId: string; routingKey: RoutingKey.VerificationCompleted; event: VerificationCompletedEvent }
  | { messageId: string; routingKey: RoutingKey.MilestoneReached; event: MilestoneReachedEvent };

/** The columns of an installation the status messages read and write (locked for the batch). */
export interface InstallationState {
  id: string;
  status: InstallationStatus;
  statusChangedAt: Date;
  authenticatedAt: Date | null;
  initialSyncCompletedAt: Date | null;
  authFailedAt: Date | null;
  degradedAt: Date | null;
  lastVerifiedAt: Date | null;
  consecutiveTransientFailures: number;
}

export interface CredentialStateRow {
  id: string;
  installationId: string;
  version: number;
  state: CredentialState;
}

/** What a batch writes: final installation rows, credential cut-overs, audit rows, refusals to log. */
export interface StatusBatchOutcome {
  /** Installations whose columns changed, with whether the status itself moved (bumps the row version). */
  installations: Array<{ state: InstallationState; statusMoved: boolean }>;
  /** Verified credentials to activate, in order; each supersedes the installation's active one. */
  cutOvers: CredentialStateRow[];
  audit: Array<{ actor: ActorContext; entry: AuditEntry }>;
  refusals: string[];
}

const TRANSIENT = new Set<string>(['throttled', 'vendor_error', 'network']);

/**
 * Applies a batch of status messages, in delivery order, to the installations and credentials
 * they name, in memory: the caller loaded and locked those rows and writes the outcome in the
 * same transaction. The result is the same as applying the messages one by one: a message sees
 * what the messages before it in the batch did (status, cut-overs).
 *
 * Throws MissingRecord when a message names an installation or credential that does not exist
 * (the caller dead-letters it).
 */
export function applyStatusMessages(
  messages: StatusMessage[],
  installations: Map<string, InstallationState>,
  credentials: Map<string, CredentialStateRow>,
): StatusBatchOutcome {
  const touched = new Map<string, { state: InstallationState; statusMoved: boolean }>();
  const outcome: StatusBatchOutcome = { installations: [], cutOvers: [], audit: [], refusals: [] };

  for (const message of messages) {
    const { event } = message;
    const installation = installations.get(event.installationId);
    if (!installation) throw new MissingRecord(`installation ${event.installationId} not found`);
    const credential = event.credentialVersionId ? credentials.get(event.credentialVersionId) : undefined;
    if (event.credentialVersionId && (!credential || credential.installationId !== installation.id)) {
      throw new MissingRecord(`credential ${event.credentialVersionId} not found`);
    }
    const entry = touched.get(installation.id) ?? { state: installation, statusMoved: false };
    touched.set(installation.id, entry);
    const actor: ActorContext = { type: 'service', id: event.actor.id, requestId: event.actor.requestId ?? null };

    const milestones: Milestone[] = [];
    if (message.routingKey === RoutingKey.VerificationCompleted) {
      recordCompletion(installation, message.event);
      milestones.push(...(message.event.milestones ?? []));
    } else {
      milestones.push(message.event.milestone);
    }
    for (const milestone of milestones) {
      const step = { milestone, at: new Date(event.occurredAt), receiptId: event.receiptId ?? null, messageId: message.messageId, actor };
      if (applyMilestone(installation, credential, credentials, step, outcome)) entry.statusMoved = true;
    }
  }
  outcome.installations = [...touched.values()];
  return outcome;
}

/** Bookkeeping of a completed check: when the partner was last asked, transient failures in a row. */
function recordCompletion(installation: InstallationState, event: VerificationCompletedEvent): void {
  const at = new Date(event.occurredAt);
  if (installation.lastVerifiedAt === null || installation.lastVerifiedAt < at) installation.lastVerifiedAt = at;
  const transient = event.outcome === 'failure' && TRANSIENT.has(event.failureClass ?? '');
  const partnerAnswered = event.outcome === 'success' || Boolean(event.failureClass);
  if (transient) installation.consecutiveTransientFailures += 1;
  else if (partnerAnswered) installation.consecutiveTransientFailures = 0;
}

interface MilestoneStep {
  milestone: Milestone;
  at: Date;
  receiptId: string | null;
  messageId: string;
  actor: ActorContext;
}

/** One milestone through the status machine; true when the status moved. */
function applyMilestone(
  installation: InstallationState,
  credential: CredentialStateRow | undefined,
  credentials: Map<string, CredentialStateRow>,
  step: MilestoneStep,
  outcome: StatusBatchOutcome,
): boolean {
  const refuse = (reason: string): false => {
    outcome.refusals.push(`milestone ${step.milestone} for installation ${installation.id} refused (event ${step.messageId}): ${reason}`);
    return false;
  };
  // A result about a credential that was replaced meanwhile says nothing about the current one.
  if (credential && credential.state !== 'pending' && credential.state !== 'active') {
    return refuse(`credential version ${credential.version} is ${credential.state}`);
  }
  const decision = decideMilestone(installation.status, step.milestone, installation.initialSyncCompletedAt !== null);
  if (decision.kind === 'refused') return refuse(decision.reason);
  const provesCredential = step.milestone === 'authenticated' || step.milestone === 'initial_sync_complete';
  if (provesCredential && credential?.state === 'pending') cutOver(credential, credentials, outcome);
  if (decision.kind === 'unchanged') return false;

  const before = installation.status;
  installation.status = decision.to;
  installation.statusChangedAt = step.at;
  const stamp = MILESTONE_TIMESTAMP[decision.to];
  if (stamp) installation[stamp] = step.at;
  if (decision.to === 'active' && installation.authenticatedAt === null) installation.authenticatedAt = step.at;
  if (step.milestone === 'recovered') installation.consecutiveTransientFailures = 0;
  outcome.audit.push({
    actor: step.actor,
    entry: {
      action: 'milestone.reached',
      targetType: 'installation',
      targetId: installation.id,
      changes: [{ field: 'status', before, after: decision.to }],
      metadata: { milestone: step.milestone, receiptId: step.receiptId, eventId: step.messageId },
    },
  });
  return true;
}

/** Test before cutover: the verified version becomes active, the one it replaces is superseded. */
function cutOver(credential: CredentialStateRow, credentials: Map<string, CredentialStateRow>, outcome: StatusBatchOutcome): void {
  for (const other of credentials.values()) {
    if (other.installationId === credential.installationId && other.id !== credential.id && other.state === 'active') {
      other.state = 'superseded';
    }
  }
  credential.state = 'active';
  outcome.cutOvers.push(credential);
}

/** A status message names a record that does not exist: it can never apply (dead letter). */
export class MissingRecord extends Error {
  override readonly name = 'MissingRecord';
}
