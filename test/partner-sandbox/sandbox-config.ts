/**
 * What the partner sandbox accepts as valid, and which failures it injects for which credential.
 * Everything here is test data: secrets in it are sandbox-only values, but they are still never
 * logged or echoed by the admin endpoints.
 */

export const SANDBOX_ROUTES = ['parkwhiz.token', 'parkwhiz.location', 'parkwhiz.bookings', 'spothero.facility', 'unmatched'] as const;
export type SandboxRoute = (typeof SANDBOX_ROUTES)[number];

export const FAULT_KINDS = ['status', 'hang', 'malformed_json', 'html', 'huge_body', 'redirect'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/** A failure injected for one credential (ParkWhiz client_id, SpotHero key or its label, or `*`). */
export interface FaultPlan {
  /** Delay before answering (applies with or without `kind`). */
  latencyMs?: number;
  /** Omitted: answer normally after the latency. */
  kind?: FaultKind;
  /** For `status`: the HTTP status to answer (default 503). */
  status?: number;
  /** Sent as `Retry-After` when the injected status is 429 (default 30). */
  retryAfterSeconds?: number;
  /** For `huge_body`: bytes to stream (default 10 MiB). */
  bodyBytes?: number;
  /** For `redirect`: the Location (default the cloud metadata address). */
  location?: string;
  /** Only the first N matching calls fail; later calls are answered normally (recovery tests). */
  failFirst?: number;
  /** Limit the fault to these routes (default every route). */
  routes?: SandboxRoute[];
}

export interface ParkWhizClientConfig {
  clientId: string;
  clientSecret: string;
  /** Scope granted whatever was requested, e.g. `public` to simulate a narrower grant. */
  grantedScope?: string;
}

export interface SpotHeroKeyConfig {
  key: string;
  /** Name used in call counts and logs instead of the key (default a short SHA-256 fingerprint). */
  label?: string;
}

export interface PartnerSandboxConfig {
  parkwhizClients: ParkWhizClientConfig[];
  spotheroKeys: SpotHeroKeyConfig[];
  locationIds: string[];
  facilityIds: string[];
  faults: Record<string, FaultPlan>;
}

export const DEFAULT_FAULT_LOCATION = 'http://169.254.169.254/latest/meta-data/iam/security-credentials/';
export const DEFAULT_HUGE_BODY_BYTES = 10 * 1024 * 1024;

/** The demo setup `npm run sandbox` serves when no PARTNER_SANDBOX_CONFIG is given. */
export function demoSandboxConfig(): PartnerSandboxConfig {
  return {
    parkwhizClients: [
      { clientId: 'demo-client', clientSecret: 'demo-secret' },
      { clientId: 'demo-public-client', clientSecret: 'demo-secret', grantedScope: 'public' },
    ],
    spotheroKeys: [{ key: 'demo-partner-key', label: 'demo' }],
    locationIds: ['1001', '1002'],
    facilityIds: ['2001', '2002'],
    faults: {},
  };
}

export function emptySandboxConfig(): PartnerSandboxConfig {
  return { parkwhizClients: [], spotheroKeys: [], locationIds: [], facilityIds: [], faults: {} };
}

export function cloneConfig(config: PartnerSandboxConfig): PartnerSandboxConfig {
  return structuredClone(config);
}
