import type { CredentialState, InstallationStatus, Milestone } from '@app/common';
import type { CheckResult } from './check-result';

export interface MilestoneFacts {
  result: Pick<CheckResult, 'outcome' | 'failureClass' | 'authenticated' | 'transient'>;
  credentialState: CredentialState;
  status: InstallationStatus;
  /** Completed receipts in a row, newest first, that ended in a transient failure (this one included). */
  consecutiveTransientFailures: number;
  degradedThreshold: number;
}

/**
 * Which milestones a completed check announces. The API decides whether each is a legal
 * transition (status-machine.ts); this only says what the check proved. Hysteresis: transient
 * failures degrade an installation only once `degradedThreshold` checks in a row failed so.
 */
export function milestonesFor(facts: MilestoneFacts): Milestone[] {
  const { result, credentialState, status } = facts;
  const newCredential = credentialState === 'pending' || status === 'pending_verification';
  const milestones: Milestone[] = [];
  if (result.authenticated && newCredential) milestones.push('authenticated');
  if (result.outcome === 'success') {
    if (newCredential || status === 'authenticated') milestones.push('initial_sync_complete');
    if (status === 'degraded') milestones.push('recovered');
    return milestones;
  }
  const rejected = result.failureClass === 'invalid_credentials' || result.failureClass === 'forbidden';
  if (rejected && !result.authenticated && newCredential) milestones.push('auth_failed');
  const live = status === 'authenticated' || status === 'active';
  if (result.transient && live && facts.consecutiveTransientFailures >= facts.degradedThreshold) milestones.push('degraded');
  return milestones;
}
