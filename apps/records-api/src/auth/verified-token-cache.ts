import type { AuthenticatedUser } from './authenticated-user';

/** How long a verified token is trusted without verifying it again, at most (and never past its exp). */
export const VERIFIED_TOKEN_TTL_MS = 60_000;
/** Bound on the distinct tokens remembered; the oldest entry goes first. */
export const VERIFIED_TOKEN_CACHE_SIZE = 10_000;

interface Entry {
  user: AuthenticatedUser;
  validUntil: number;
}

/**
 * Tokens that passed full verification (signature, algorithm, issuer, audience, exp), keyed by the
 * whole token string, so a client reusing its token is not verified again on every request: the
 * signature check and passport's per-request machinery were a third of the API's CPU per read
 * (bench/README.md). An entry lives at most VERIFIED_TOKEN_TTL_MS and never past the token's own
 * `exp`; a token that failed verification is never cached.
 */
export class VerifiedTokenCache {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly ttlMs = VERIFIED_TOKEN_TTL_MS,
    private readonly maxEntries = VERIFIED_TOKEN_CACHE_SIZE,
    private readonly now: () => number = Date.now,
  ) {}

  get(token: string): AuthenticatedUser | null {
    const entry = this.entries.get(token);
    if (!entry) return null;
    if (this.now() >= entry.validUntil) {
      this.entries.delete(token);
      return null;
    }
    return entry.user;
  }

  /** `expiresAt`: the token's exp in epoch ms. */
  remember(token: string, user: AuthenticatedUser, expiresAt: number): void {
    const validUntil = Math.min(expiresAt, this.now() + this.ttlMs);
    if (validUntil <= this.now()) return;
    this.entries.delete(token);
    if (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
    this.entries.set(token, { user, validUntil });
  }

  get size(): number {
    return this.entries.size;
  }
}
