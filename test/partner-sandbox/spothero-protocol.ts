import { createHash } from 'node:crypto';
import { headerValue, SandboxReply } from './http-io';
import type { PartnerSandboxConfig, SpotHeroKeyConfig } from './sandbox-config';
import { CallerIdentity, methodNotAllowed, RouteMatch, sameSecret, SandboxCall, UNKNOWN_CALLER } from './sandbox-route';

/** The label counted and logged for a key: its configured label, else a short fingerprint. */
export function spotheroKeyLabel(key: SpotHeroKeyConfig): string {
  return key.label ?? `sh_${createHash('sha256').update(key.key).digest('hex').slice(0, 12)}`;
}

/** SpotHero's error envelope: `{"notifications":[],"meta":{},"data":{"errors":[…]}}`. */
function envelopeError(status: number, code: string, message: string): SandboxReply {
  return { status, json: { notifications: [], meta: {}, data: { errors: [{ code, messages: [message] }] } } };
}

function facility(id: string): Record<string, unknown> {
  return {
    notifications: [],
    meta: {},
    data: {
      id: /^\d+$/.test(id) ? Number(id) : id,
      title: `Sandbox Facility ${id}`,
      street_address: '456 N Sandbox Ave',
      city: 'Chicago',
      state: 'IL',
      latitude: 41.8921,
      longitude: -87.6244,
      timezone: 'America/Chicago',
    },
  };
}

/**
 * SpotHero: the legacy partner API (`/api/partner/v1/…/`, trailing slashes) and the current API's
 * `/v2/facilities/{id}`, both with `Authorization: Token <key>` and `SpotHero-Version`.
 */
export class SpotHeroProtocol {
  constructor(private readonly config: () => PartnerSandboxConfig) {}

  match(call: SandboxCall): RouteMatch | undefined {
    // The current API's facility read (the template's default probe/sync path): no trailing slash.
    const currentApiPath = /^\/v2\/facilities\/([^/]+)$/.exec(call.path);
    if (currentApiPath) {
      return {
        route: 'spothero.facility',
        caller: this.caller(call),
        answer: () => this.facility(call, decodeURIComponent(currentApiPath[1])),
      };
    }
    const facilityPath = /^\/api\/partner\/v1\/facilities\/([^/]+)(\/?)$/.exec(call.path);
    if (!facilityPath) return undefined;
    const [, rawId, slash] = facilityPath;
    const caller = this.caller(call);
    if (slash === '') {
      // Django's APPEND_SLASH: the path without its trailing slash is redirected, not served.
      return { route: 'spothero.facility', caller, answer: () => ({ status: 301, headers: { location: `${call.path}/` } }) };
    }
    return { route: 'spothero.facility', caller, answer: () => this.facility(call, decodeURIComponent(rawId)) };
  }

  private knownKey(call: SandboxCall): SpotHeroKeyConfig | undefined {
    const token = /^Token\s+(\S+)$/i.exec(headerValue(call.req, 'authorization') ?? '');
    if (!token) return undefined;
    return this.config().spotheroKeys.find((k) => sameSecret(k.key, token[1]));
  }

  /** Faults may be keyed by the key itself or its label; counts always use the label. */
  private caller(call: SandboxCall): CallerIdentity {
    const key = this.knownKey(call);
    return key ? { label: spotheroKeyLabel(key), faultKeys: [key.key, spotheroKeyLabel(key)] } : UNKNOWN_CALLER;
  }

  private facility(call: SandboxCall, id: string): SandboxReply {
    if (call.method !== 'GET') return methodNotAllowed('GET');
    if (headerValue(call.req, 'authorization') === undefined) {
      return envelopeError(401, 'not_authenticated', 'Authentication credentials were not provided.');
    }
    if (!this.knownKey(call)) return envelopeError(401, 'not_authenticated', 'Invalid token.');
    if (!headerValue(call.req, 'spothero-version')) {
      return envelopeError(400, 'missing_version', 'The SpotHero-Version header is required.');
    }
    if (!this.config().facilityIds.includes(id)) return envelopeError(404, 'not_found', 'Not found.');
    return { status: 200, json: facility(id) };
  }
}
