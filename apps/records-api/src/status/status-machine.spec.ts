import { decideMilestone } from './status-machine';

describe('decideMilestone (DESIGN §2)', () => {
  it('walks the happy path pending_verification → authenticated → active', () => {
    expect(decideMilestone('pending_verification', 'authenticated', false)).toEqual({ kind: 'transition', to: 'authenticated' });
    expect(decideMilestone('authenticated', 'initial_sync_complete', false)).toEqual({ kind: 'transition', to: 'active' });
  });

  it('accepts the two milestones in either order', () => {
    expect(decideMilestone('pending_verification', 'initial_sync_complete', false)).toEqual({ kind: 'transition', to: 'active' });
    expect(decideMilestone('active', 'authenticated', true)).toEqual({ kind: 'unchanged' });
  });

  it('sends rejected credentials to auth_failed only from pending_verification', () => {
    expect(decideMilestone('pending_verification', 'auth_failed', false)).toEqual({ kind: 'transition', to: 'auth_failed' });
    expect(decideMilestone('active', 'auth_failed', true).kind).toBe('refused');
  });

  it('degrades live installations and recovers to where they were', () => {
    expect(decideMilestone('active', 'degraded', true)).toEqual({ kind: 'transition', to: 'degraded' });
    expect(decideMilestone('degraded', 'recovered', true)).toEqual({ kind: 'transition', to: 'active' });
    expect(decideMilestone('degraded', 'recovered', false)).toEqual({ kind: 'transition', to: 'authenticated' });
    expect(decideMilestone('pending_verification', 'degraded', false).kind).toBe('refused');
  });

  it('refuses everything on decommissioned and draft installations', () => {
    for (const milestone of ['authenticated', 'initial_sync_complete', 'auth_failed', 'degraded', 'recovered'] as const) {
      expect(decideMilestone('decommissioned', milestone, true).kind).toBe('refused');
      expect(decideMilestone('draft', milestone, false).kind).toBe('refused');
    }
  });
});
