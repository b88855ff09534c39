import { milestonesFor, type MilestoneFacts } from './milestone-policy';

const success = { outcome: 'success', failureClass: null, authenticated: true, transient: false } as const;
const throttled = { outcome: 'failure', failureClass: 'throttled', authenticated: false, transient: true } as const;
const rejected = { outcome: 'failure', failureClass: 'invalid_credentials', authenticated: false, transient: false } as const;

function facts(overrides: Partial<MilestoneFacts>): MilestoneFacts {
  return {
    result: success,
    credentialState: 'pending',
    status: 'pending_verification',
    consecutiveTransientFailures: 0,
    degradedThreshold: 3,
    ...overrides,
  };
}

describe('milestonesFor', () => {
  it('announces authenticated and initial sync for a new credential that works', () => {
    expect(milestonesFor(facts({}))).toEqual(['authenticated', 'initial_sync_complete']);
  });

  it('announces nothing for a routine re-check of an active installation', () => {
    expect(milestonesFor(facts({ credentialState: 'active', status: 'active' }))).toEqual([]);
  });

  it('announces auth_failed for a rejected new credential only', () => {
    expect(milestonesFor(facts({ result: rejected }))).toEqual(['auth_failed']);
    expect(milestonesFor(facts({ result: rejected, credentialState: 'active', status: 'active' }))).toEqual([]);
  });

  it('degrades only at the threshold of consecutive transient failures (hysteresis)', () => {
    const live = { credentialState: 'active', status: 'active' } as const;
    expect(milestonesFor(facts({ ...live, result: throttled, consecutiveTransientFailures: 2 }))).toEqual([]);
    expect(milestonesFor(facts({ ...live, result: throttled, consecutiveTransientFailures: 3 }))).toEqual(['degraded']);
    expect(milestonesFor(facts({ result: throttled, consecutiveTransientFailures: 9 }))).toEqual([]);
  });

  it('recovers a degraded installation on the first success', () => {
    expect(milestonesFor(facts({ credentialState: 'active', status: 'degraded' }))).toEqual(['recovered']);
  });

  it('still announces authenticated when only the initial sync failed', () => {
    const syncFailed = { outcome: 'failure', failureClass: 'contract', authenticated: true, transient: false } as const;
    expect(milestonesFor(facts({ result: syncFailed }))).toEqual(['authenticated']);
  });
});
