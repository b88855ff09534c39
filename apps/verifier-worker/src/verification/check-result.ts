import type { FailureClass } from '@app/common';
import type { PartnerProbe } from '../partners/partner-adapter';

/** What one check found; becomes the completed receipt. Detail is safe to store (no secrets). */
export interface CheckResult {
  outcome: 'success' | 'failure';
  /** null when the check could not be attempted for reasons of our own (undecryptable credential…). */
  failureClass: FailureClass | null;
  detail: string;
  probe: PartnerProbe | null;
  httpStatus: number | null;
  latencyMs: number | null;
  /** The authentication step passed (the initial sync may still have failed). */
  authenticated: boolean;
  /** Worth trying again later: throttled, vendor_error, or a network failure that was not a refusal. */
  transient: boolean;
  /** The partner's Retry-After on a 429, in seconds: the next attempt waits at least this long. */
  retryAfterSeconds?: number;
}

/** Refusals by our own SSRF guard are network-class but final: retrying cannot change them. */
const REFUSALS = new Set(['host_not_allowed', 'address_not_allowed', 'redirect_refused', 'scheme_not_allowed']);

export function isTransient(failureClass: FailureClass, reason: string): boolean {
  if (failureClass === 'throttled' || failureClass === 'vendor_error') return true;
  return failureClass === 'network' && !REFUSALS.has(reason);
}

/** A check that did not reach the partner because of our own records. */
export function notAttempted(detail: string): CheckResult {
  return {
    outcome: 'failure',
    failureClass: null,
    detail,
    probe: null,
    httpStatus: null,
    latencyMs: null,
    authenticated: false,
    transient: false,
  };
}
