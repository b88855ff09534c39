import { randomBytes } from 'node:crypto';
import { headerValue, SandboxReply } from './http-io';
import type { PartnerSandboxConfig } from './sandbox-config';
import { CallerIdentity, methodNotAllowed, RouteMatch, sameSecret, SandboxCall, UNKNOWN_CALLER } from './sandbox-route';
import { parkwhizBookings, parkwhizLocation } from './parkwhiz-fixtures';

/** Scopes ParkWhiz v4 documents for client-credentials tokens. */
const KNOWN_SCOPES = ['partner', 'public'];
const TOKEN_LIFETIME_SECONDS = 31557600;

interface IssuedToken {
  clientId: string;
  scopes: string[];
}

function oauthError(status: number, error: string, description: string): SandboxReply {
  return { status, json: { error, error_description: description } };
}

/** ParkWhiz / Arrive v4 as documented in shared/partners.md: OAuth client credentials, then Bearer. */
export class ParkWhizProtocol {
  private readonly tokens = new Map<string, IssuedToken>();

  constructor(private readonly config: () => PartnerSandboxConfig) {}

  match(call: SandboxCall): RouteMatch | undefined {
    if (call.path === '/v4/oauth/token') {
      return { route: 'parkwhiz.token', caller: this.tokenCaller(call), answer: () => this.token(call) };
    }
    const location = /^\/v4\/locations\/([^/]+)\/?$/.exec(call.path);
    if (location) {
      const id = decodeURIComponent(location[1]);
      return { route: 'parkwhiz.location', caller: this.bearerCaller(call), answer: () => this.location(call, id) };
    }
    if (call.path === '/v4/bookings' || call.path === '/v4/bookings/') {
      return { route: 'parkwhiz.bookings', caller: this.bearerCaller(call), answer: () => this.bookings(call) };
    }
    return undefined;
  }

  forgetTokens(): void {
    this.tokens.clear();
  }

  private tokenCaller(call: SandboxCall): CallerIdentity {
    const basic = /^Basic\s+(.+)$/i.exec(headerValue(call.req, 'authorization') ?? '');
    const clientId = basic
      ? Buffer.from(basic[1], 'base64').toString('utf8').split(':')[0]
      : new URLSearchParams(call.body).get('client_id');
    return clientId ? { label: clientId, faultKeys: [clientId] } : UNKNOWN_CALLER;
  }

  private bearerCaller(call: SandboxCall): CallerIdentity {
    const issued = this.issuedToken(call);
    return issued ? { label: issued.clientId, faultKeys: [issued.clientId] } : UNKNOWN_CALLER;
  }

  private issuedToken(call: SandboxCall): IssuedToken | undefined {
    const bearer = /^Bearer\s+(\S+)$/i.exec(headerValue(call.req, 'authorization') ?? '');
    return bearer ? this.tokens.get(bearer[1]) : undefined;
  }

  private token(call: SandboxCall): SandboxReply {
    if (call.method !== 'POST') return methodNotAllowed('POST');
    // Observed against the live API: client credentials sent as HTTP Basic get a 401.
    if (/^Basic\s/i.test(headerValue(call.req, 'authorization') ?? '')) {
      return oauthError(401, 'invalid_client', 'Client authentication via HTTP Basic is not supported.');
    }
    if (!(headerValue(call.req, 'content-type') ?? '').startsWith('application/x-www-form-urlencoded')) {
      return oauthError(400, 'invalid_request', 'The request body must be form-encoded.');
    }
    const form = new URLSearchParams(call.body);
    const client = this.config().parkwhizClients.find((c) => c.clientId === form.get('client_id'));
    if (!client || !sameSecret(client.clientSecret, form.get('client_secret') ?? '')) {
      return oauthError(401, 'invalid_client', 'Client authentication failed due to unknown client.');
    }
    if (form.get('grant_type') !== 'client_credentials') {
      return oauthError(400, 'unsupported_grant_type', 'The authorization grant type is not supported.');
    }
    const requested = (form.get('scope') ?? '').split(' ').filter((s) => s.length > 0);
    if (requested.some((s) => !KNOWN_SCOPES.includes(s))) {
      return oauthError(400, 'invalid_scope', 'The requested scope is invalid, unknown, or malformed.');
    }
    const scope = client.grantedScope ?? (requested.length > 0 ? requested.join(' ') : 'public');
    const accessToken = randomBytes(32).toString('hex');
    this.tokens.set(accessToken, { clientId: client.clientId, scopes: scope.split(' ') });
    const createdAt = Math.floor(Date.now() / 1000);
    return {
      status: 200,
      json: { access_token: accessToken, token_type: 'Bearer', expires_in: TOKEN_LIFETIME_SECONDS, scope, created_at: createdAt },
      headers: { 'cache-control': 'no-store' },
    };
  }

  private location(call: SandboxCall, id: string): SandboxReply {
    if (call.method !== 'GET') return methodNotAllowed('GET');
    if (!this.issuedToken(call)) return this.unauthorized();
    if (!this.config().locationIds.includes(id)) {
      return { status: 404, json: { status: 404, message: `Location ${id} not found` } };
    }
    return { status: 200, json: parkwhizLocation(id) };
  }

  private bookings(call: SandboxCall): SandboxReply {
    if (call.method !== 'GET') return methodNotAllowed('GET');
    const issued = this.issuedToken(call);
    if (!issued) return this.unauthorized();
    // Bookings belong to the partner: a public-scope token is not enough. [inf]
    if (!issued.scopes.includes('partner')) return oauthError(403, 'insufficient_scope', 'Requires partner scope.');
    const perPage = Math.min(Math.max(Number(call.query.get('per_page') ?? '20') || 20, 1), 100);
    return { status: 200, json: parkwhizBookings(perPage) };
  }

  private unauthorized(): SandboxReply {
    const reply = oauthError(401, 'invalid_token', 'The access token is missing, invalid or expired.');
    return { ...reply, headers: { 'www-authenticate': 'Bearer error="invalid_token"' } };
  }
}
