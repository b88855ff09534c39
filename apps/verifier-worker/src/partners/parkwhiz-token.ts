import type { AuthOutcome, PartnerProbe } from './partner-adapter';
import { failure, failureFromBody } from './partner-outcomes';
import { PartnerSession } from './partner-session';
import type { OutboundResponse } from './safe-http-client';

interface TokenResponse {
  access_token: string;
  token_type: string;
  expires_in?: number;
  scope?: string;
  created_at?: number;
}

function isTokenResponse(body: unknown): body is TokenResponse {
  if (typeof body !== 'object' || body === null) return false;
  const b = body as Record<string, unknown>;
  return (
    typeof b.access_token === 'string' &&
    b.access_token.length > 0 &&
    typeof b.token_type === 'string' &&
    b.token_type.toLowerCase() === 'bearer' &&
    (b.expires_in === undefined || typeof b.expires_in === 'number') &&
    (b.scope === undefined || typeof b.scope === 'string') &&
    (b.created_at === undefined || typeof b.created_at === 'number')
  );
}

const scopes = (scope: string): string[] => scope.split(' ').filter((s) => s.length > 0);

/**
 * Turns a 2xx token answer into an outcome. A grant narrower than requested is `forbidden`
 * (DESIGN §5); an absent `scope` means "as requested" (RFC 6749 §5.1).
 */
export function tokenOutcome(response: OutboundResponse, probe: PartnerProbe, requestedScope: string): AuthOutcome {
  const latencyMs = response.latencyMs;
  if (response.body.kind !== 'json' || !isTokenResponse(response.body.value)) {
    return failureFromBody(response, probe, 'token endpoint', latencyMs);
  }
  const token = response.body.value;
  const granted = token.scope ?? requestedScope;
  const notGranted = scopes(requestedScope).filter((s) => !scopes(granted).includes(s));
  if (notGranted.length > 0) {
    const detail = `requested scope "${requestedScope}" but was granted "${granted}"`;
    return failure(probe, 'forbidden', 'scope_narrowed', detail, { httpStatus: response.status, latencyMs });
  }
  const issuedAt = token.created_at !== undefined ? token.created_at * 1000 : Date.now();
  const expiresAt = token.expires_in !== undefined ? new Date(issuedAt + token.expires_in * 1000) : undefined;
  return {
    ok: true,
    session: PartnerSession.bearer(token.access_token, expiresAt),
    grantedScope: granted,
    probe,
    httpStatus: response.status,
    latencyMs,
    detail: `token issued with scope "${granted}"`,
  };
}
