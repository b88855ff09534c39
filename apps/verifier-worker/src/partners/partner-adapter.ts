import type { PartnerSession } from './partner-session';

export type PartnerVendor = 'parkwhiz' | 'spothero';

/** DESIGN §2 failure classes, as recorded on verification receipts. */
export type FailureClass = 'invalid_credentials' | 'forbidden' | 'throttled' | 'vendor_error' | 'network' | 'contract' | 'unsupported';

/** Finer machine-readable cause within a class, e.g. to tell an SSRF refusal from a timeout. */
export type FailureReason =
  | 'credentials_rejected'
  | 'access_denied'
  | 'scope_narrowed'
  | 'rate_limited'
  | 'vendor_unavailable'
  | 'timeout'
  | 'dns'
  | 'tls'
  | 'connect'
  | 'connection_reset'
  | 'network_other'
  | 'host_not_allowed'
  | 'address_not_allowed'
  | 'redirect_refused'
  | 'scheme_not_allowed'
  | 'malformed_json'
  | 'not_json'
  | 'response_too_large'
  | 'unexpected_shape'
  | 'unexpected_status'
  | 'resource_not_found'
  | 'probe_unconfirmed'
  | 'probe_accepts_anonymous'
  | 'nothing_to_sync';

/** What a receipt records about the call that decided the outcome. Never a query string. */
export interface PartnerProbe {
  method: 'GET' | 'POST';
  host: string;
  path: string;
}

/**
 * What the worker maps a vendor template + installation + decrypted credential into.
 * Keys each adapter reads are listed on its settings function (parkwhiz-settings.ts, spothero-settings.ts).
 */
export interface PartnerAdapterInput {
  /** From the installation's endpoints (or the template default for its environment), e.g. `https://api.parkwhiz.com/v4`. */
  baseUrl: string;
  /** Endpoint paths relative to baseUrl; `{name}` placeholders are filled per call. */
  paths: Readonly<Record<string, string>>;
  /** The installation's non-secret config, already validated against the template. */
  config: Readonly<Record<string, unknown>>;
  /** Decrypted secret fields of the credential version under test. */
  secrets: Readonly<Record<string, string>>;
  /** Hard limit per partner call (30 s for the slow ParkWhiz sandbox). */
  timeoutMs: number;
  /** The template's host allow-list; PARTNER_HOST_ALLOWLIST lives in SafeHttpClient. */
  allowedHosts: readonly string[];
  /** The template's credential probe; unconfirmed probes are never called. */
  probe?: { path: string; confirmed: boolean };
}

interface OutcomeFacts {
  probe: PartnerProbe;
  /** null when no response was received (refused before sending, timeout, network). */
  httpStatus: number | null;
  /** Total time spent on partner calls for this step. */
  latencyMs: number;
  /** Human-readable, safe to store and log: no secrets, tokens or response bodies. */
  detail: string;
}

export interface PartnerFailure extends OutcomeFacts {
  ok: false;
  failureClass: FailureClass;
  reason: FailureReason;
  /** From Retry-After on a 429, in seconds. */
  retryAfterSeconds?: number;
}

export interface AuthSuccess extends OutcomeFacts {
  ok: true;
  session: PartnerSession;
  grantedScope?: string;
}

export type AuthOutcome = AuthSuccess | PartnerFailure;

export interface SyncSuccess extends OutcomeFacts {
  ok: true;
  found: string[];
}

export interface SyncFailure extends PartnerFailure {
  found: string[];
  missing: string[];
}

export type SyncOutcome = SyncSuccess | SyncFailure;

/**
 * One per vendor. Implementations never throw for partner behaviour (every answer, silence or
 * refusal becomes an outcome); they throw AdapterInputError only when the input itself is unusable.
 */
export interface PartnerAdapter {
  readonly vendor: PartnerVendor;
  authenticate(input: PartnerAdapterInput): Promise<AuthOutcome>;
  initialSync(input: PartnerAdapterInput, auth: AuthSuccess): Promise<SyncOutcome>;
}
