import { randomUUID } from 'node:crypto';
import { RoutingKey, type Milestone, type MilestoneReachedEvent, type VerificationCompletedEvent } from '@app/common';
import { applyStatusMessages, MissingRecord, type CredentialStateRow, type InstallationState, type StatusMessage } from './status-batch';

const AT = '2026-12-04T10:00:00.000Z';

function installation(status: InstallationState['status'], extra: Partial<InstallationState> = {}): InstallationState {
  return {
    id: randomUUID(),
    status,
    statusChangedAt: new Date('2026-01-01T00:00:00Z'),
    authenticatedAt: null,
    initialSyncCompletedAt: null,
    authFailedAt: null,
    degradedAt: null,
    lastVerifiedAt: null,
    consecutiveTransientFailures: 0,
    ...extra,
  };
}

function credential(installationId: string, state: CredentialStateRow['state'], version = 1): CredentialStateRow {
  return { id: randomUUID(), installationId, version, state };
}

function completed(
  target: InstallationState,
  cred: CredentialStateRow,
  milestones: Milestone[],
  extra: Partial<VerificationCompletedEvent> = {},
): StatusMessage {
  const event = {
    installationId: target.id,
    occurredAt: AT,
    actor: { type: 'service', id: 'worker-1', requestId: 'req-1' },
    receiptId: randomUUID(),
    credentialVersionId: cred.id,
    outcome: 'success',
    failureClass: null,
    milestones,
    ...extra,
  } as VerificationCompletedEvent;
  return { messageId: randomUUID(), routingKey: RoutingKey.VerificationCompleted, event };
}

function milestone(target: InstallationState, name: Milestone): StatusMessage {
  const event = {
    installationId: target.id,
    occurredAt: AT,
    actor: { type: 'service', id: 'worker-1' },
    milestone: name,
  } as MilestoneReachedEvent;
  return { messageId: randomUUID(), routingKey: RoutingKey.MilestoneReached, event };
}

const maps = (installations: InstallationState[], credentials: CredentialStateRow[]) =>
  [new Map(installations.map((i) => [i.id, i])), new Map(credentials.map((c) => [c.id, c]))] as const;

describe('applyStatusMessages', () => {
  it('applies a completion with its milestones: pending_verification → authenticated → active, credential cut over', () => {
    const target = installation('pending_verification');
    const pending = credential(target.id, 'pending', 2);
    const previous = credential(target.id, 'active', 1);
    const message = completed(target, pending, ['authenticated', 'initial_sync_complete']);
    const outcome = applyStatusMessages([message], ...maps([target], [pending, previous]));

    expect(target).toMatchObject({
      status: 'active',
      lastVerifiedAt: new Date(AT),
      authenticatedAt: new Date(AT),
      initialSyncCompletedAt: new Date(AT),
    });
    expect(outcome.installations).toEqual([{ state: target, statusMoved: true }]);
    expect(outcome.cutOvers).toEqual([pending]);
    expect(pending.state).toBe('active');
    expect(previous.state).toBe('superseded');
    expect(outcome.audit.map((a) => a.entry.changes)).toEqual([
      [{ field: 'status', before: 'pending_verification', after: 'authenticated' }],
      [{ field: 'status', before: 'authenticated', after: 'active' }],
    ]);
    expect(outcome.audit[0]).toMatchObject({
      actor: { type: 'service', id: 'worker-1', requestId: 'req-1' },
      entry: { action: 'milestone.reached', targetId: target.id, metadata: { milestone: 'authenticated', eventId: message.messageId } },
    });
    expect(outcome.refusals).toEqual([]);
  });

  it('counts transient failures and resets them when the partner answers', () => {
    const target = installation('active', { consecutiveTransientFailures: 1 });
    const cred = credential(target.id, 'active');
    const throttled = completed(target, cred, [], { outcome: 'failure', failureClass: 'throttled' });
    applyStatusMessages([throttled, throttled], ...maps([target], [cred]));
    expect(target.consecutiveTransientFailures).toBe(3);
    const outcome = applyStatusMessages([completed(target, cred, [])], ...maps([target], [cred]));
    expect(target.consecutiveTransientFailures).toBe(0);
    expect(outcome.installations).toEqual([{ state: target, statusMoved: false }]);
    expect(outcome.audit).toEqual([]);
  });

  it('applies messages in order: a later message sees what an earlier one in the same batch did', () => {
    const target = installation('active', { initialSyncCompletedAt: new Date('2026-01-01T00:00:00Z') });
    const outcome = applyStatusMessages([milestone(target, 'degraded'), milestone(target, 'recovered')], ...maps([target], []));
    expect(target.status).toBe('active');
    expect(outcome.audit.map((a) => a.entry.changes?.[0])).toEqual([
      { field: 'status', before: 'active', after: 'degraded' },
      { field: 'status', before: 'degraded', after: 'active' },
    ]);
  });

  it('refuses an illegal transition: logged, nothing changes, no audit row', () => {
    const target = installation('draft');
    const outcome = applyStatusMessages([milestone(target, 'degraded')], ...maps([target], []));
    expect(target.status).toBe('draft');
    expect(outcome.audit).toEqual([]);
    expect(outcome.refusals).toEqual([expect.stringContaining('degraded is not a transition from draft')]);
  });

  it('refuses a result about a credential that was superseded meanwhile', () => {
    const target = installation('active');
    const old = credential(target.id, 'superseded');
    const outcome = applyStatusMessages([completed(target, old, ['authenticated'])], ...maps([target], [old]));
    expect(outcome.cutOvers).toEqual([]);
    expect(outcome.refusals).toEqual([expect.stringContaining('credential version 1 is superseded')]);
  });

  it('of two cut-overs of one installation in a batch, the later wins and the earlier message’s credential ends superseded', () => {
    const target = installation('active', { initialSyncCompletedAt: new Date('2026-01-01T00:00:00Z') });
    const first = credential(target.id, 'pending', 2);
    const second = credential(target.id, 'pending', 3);
    const outcome = applyStatusMessages(
      [completed(target, first, ['authenticated']), completed(target, second, ['authenticated'])],
      ...maps([target], [first, second]),
    );
    expect(outcome.cutOvers).toEqual([first, second]);
    expect([first.state, second.state]).toEqual(['superseded', 'active']);
  });

  it('a message naming a missing installation or a credential of another installation throws MissingRecord', () => {
    const target = installation('pending_verification');
    const other = installation('pending_verification');
    const foreign = credential(other.id, 'pending');
    expect(() => applyStatusMessages([milestone(target, 'authenticated')], ...maps([], []))).toThrow(MissingRecord);
    expect(() => applyStatusMessages([completed(target, foreign, [])], ...maps([target, other], [foreign]))).toThrow(
      `credential ${foreign.id} not found`,
    );
  });
});
