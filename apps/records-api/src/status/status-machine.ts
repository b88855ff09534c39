import type { InstallationStatus, Milestone } from '@app/common';

/**
 * What a milestone does to an installation's status (DESIGN §2):
 * - transition: the status moves;
 * - unchanged: legal, nothing moves (e.g. `authenticated` while a rotated key is tested on an
 *   active installation: the credential cuts over, the status stays);
 * - refused: illegal from here; the caller logs it and changes nothing.
 */
export type MilestoneDecision =
  { kind: 'transition'; to: InstallationStatus } | { kind: 'unchanged' } | { kind: 'refused'; reason: string };

const transition = (to: InstallationStatus): MilestoneDecision => ({ kind: 'transition', to });
const unchanged: MilestoneDecision = { kind: 'unchanged' };
const refused = (from: InstallationStatus, milestone: Milestone): MilestoneDecision => ({
  kind: 'refused',
  reason: `${milestone} is not a transition from ${from}`,
});

/**
 * `initial_sync_complete` also moves pending_verification straight to active: the worker sends
 * `authenticated` and `initial_sync_complete` together and consumers may apply them in either
 * order; a sync cannot succeed without authentication, so the later `authenticated` is a no-op.
 */
export function decideMilestone(from: InstallationStatus, milestone: Milestone, initialSyncDone: boolean): MilestoneDecision {
  if (from === 'decommissioned' || from === 'draft') return refused(from, milestone);
  switch (milestone) {
    case 'authenticated':
      if (from === 'pending_verification') return transition('authenticated');
      return from === 'auth_failed' ? refused(from, milestone) : unchanged;
    case 'initial_sync_complete':
      if (from === 'pending_verification' || from === 'authenticated') return transition('active');
      return from === 'auth_failed' ? refused(from, milestone) : unchanged;
    case 'auth_failed':
      if (from === 'pending_verification') return transition('auth_failed');
      return from === 'auth_failed' ? unchanged : refused(from, milestone);
    case 'degraded':
      if (from === 'authenticated' || from === 'active') return transition('degraded');
      return from === 'degraded' ? unchanged : refused(from, milestone);
    case 'recovered':
      if (from === 'degraded') return transition(initialSyncDone ? 'active' : 'authenticated');
      return from === 'authenticated' || from === 'active' ? unchanged : refused(from, milestone);
  }
}

/** The milestone timestamp column each target status stamps. */
export const MILESTONE_TIMESTAMP: Partial<
  Record<InstallationStatus, 'authenticatedAt' | 'initialSyncCompletedAt' | 'authFailedAt' | 'degradedAt'>
> = {
  authenticated: 'authenticatedAt',
  active: 'initialSyncCompletedAt',
  auth_failed: 'authFailedAt',
  degraded: 'degradedAt',
};
