import type { AuthenticatedUser } from './authenticated-user';
import { VerifiedTokenCache } from './verified-token-cache';

const user = (sub: string): AuthenticatedUser => ({
  sub,
  name: null,
  issuer: 'test',
  actorType: 'user',
  roles: new Set(['viewer']),
  expiresAt: 0,
});

describe('VerifiedTokenCache', () => {
  let now = 1_000_000;
  const clock = () => now;

  beforeEach(() => {
    now = 1_000_000;
  });

  it('returns a remembered token until its exp, not a moment later', () => {
    const cache = new VerifiedTokenCache(60_000, 10, clock);
    cache.remember('t1', user('alice'), now + 5_000);
    expect(cache.get('t1')?.sub).toBe('alice');
    now += 4_999;
    expect(cache.get('t1')?.sub).toBe('alice');
    now += 1;
    expect(cache.get('t1')).toBeNull();
    expect(cache.size).toBe(0);
  });

  it('never keeps a token longer than its ttl, even when exp is far away', () => {
    const cache = new VerifiedTokenCache(60_000, 10, clock);
    cache.remember('t1', user('alice'), now + 3_600_000);
    now += 59_999;
    expect(cache.get('t1')).not.toBeNull();
    now += 1;
    expect(cache.get('t1')).toBeNull();
  });

  it('does not remember a token that has already expired', () => {
    const cache = new VerifiedTokenCache(60_000, 10, clock);
    cache.remember('t1', user('alice'), now);
    expect(cache.get('t1')).toBeNull();
    expect(cache.size).toBe(0);
  });

  it('is keyed by the whole token: another token is a miss', () => {
    const cache = new VerifiedTokenCache(60_000, 10, clock);
    cache.remember('header.payload.signature', user('alice'), now + 5_000);
    expect(cache.get('header.payload.signaturX')).toBeNull();
    expect(cache.get('header.payload')).toBeNull();
  });

  it('is bounded: the oldest entry goes first', () => {
    const cache = new VerifiedTokenCache(60_000, 3, clock);
    for (const t of ['a', 'b', 'c', 'd']) cache.remember(t, user(t), now + 5_000);
    expect(cache.size).toBe(3);
    expect(cache.get('a')).toBeNull();
    expect(cache.get('d')?.sub).toBe('d');
  });
});
