import type { FailureClass, FailureReason, PartnerFailure, PartnerProbe } from './partner-adapter';
import { OutboundError, OutboundNetworkError, OutboundRefusedError, OutboundTimeoutError, ResponseTooLargeError } from './outbound-errors';
import type { OutboundRequest, OutboundResponse, SafeHttpClient } from './safe-http-client';

export function probeOf(method: PartnerProbe['method'], url: string): PartnerProbe {
  const parsed = new URL(url);
  return { method, host: parsed.host, path: parsed.pathname };
}

export function failure(
  probe: PartnerProbe,
  failureClass: FailureClass,
  reason: FailureReason,
  detail: string,
  facts: { httpStatus?: number | null; latencyMs?: number; retryAfterSeconds?: number } = {},
): PartnerFailure {
  const { httpStatus = null, latencyMs = 0, retryAfterSeconds } = facts;
  const outcome: PartnerFailure = { ok: false, failureClass, reason, probe, httpStatus, latencyMs, detail };
  return retryAfterSeconds === undefined ? outcome : { ...outcome, retryAfterSeconds };
}

/**
 * Refusals, timeouts and transport errors are all class `network` (the partner was not reached,
 * or not safely); `reason` tells an SSRF refusal (`address_not_allowed`, …) from a timeout.
 * A body over the size cap is `contract`: the partner answered, but not with what we expect.
 */
export function failureFromOutboundError(error: OutboundError, probe: PartnerProbe, latencyMs: number): PartnerFailure {
  const detail = error.message;
  if (error instanceof OutboundRefusedError) {
    return failure(probe, 'network', error.reason, detail, { latencyMs, httpStatus: error.httpStatus ?? null });
  }
  if (error instanceof OutboundTimeoutError) return failure(probe, 'network', 'timeout', detail, { latencyMs });
  if (error instanceof OutboundNetworkError) {
    const reason: FailureReason = error.kind === 'other' ? 'network_other' : error.kind;
    return failure(probe, 'network', reason, detail, { latencyMs });
  }
  if (error instanceof ResponseTooLargeError) {
    return failure(probe, 'contract', 'response_too_large', detail, { latencyMs, httpStatus: error.httpStatus });
  }
  return failure(probe, 'network', 'network_other', detail, { latencyMs });
}

export type Exchange = { ok: true; response: OutboundResponse } | { ok: false; failure: PartnerFailure };

/** One partner call whose transport failures come back as outcomes instead of exceptions. */
export async function exchange(http: SafeHttpClient, request: OutboundRequest, probe: PartnerProbe): Promise<Exchange> {
  const started = performance.now();
  try {
    return { ok: true, response: await http.request(request) };
  } catch (error) {
    if (!(error instanceof OutboundError)) throw error;
    return { ok: false, failure: failureFromOutboundError(error, probe, Math.round(performance.now() - started)) };
  }
}

/** Seconds from a Retry-After header (delta-seconds or HTTP-date); undefined when absent or unreadable. */
export function retryAfterSeconds(value: string | undefined, now = Date.now()): number | undefined {
  if (value === undefined) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim());
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - now) / 1000));
}

/**
 * The partner's own error code (OAuth `error`, or SpotHero `data.errors[0].code`), if it looks
 * like a code. Free-text descriptions are not kept: they are not ours to vouch for.
 */
export function partnerErrorCode(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const record = body as Record<string, unknown>;
  let code: unknown = record.error;
  const data = record.data as { errors?: Array<{ code?: unknown }> } | undefined;
  if (code === undefined && Array.isArray(data?.errors)) code = data.errors[0]?.code;
  return typeof code === 'string' && /^[a-z0-9_.-]{1,64}$/i.test(code) ? code : undefined;
}

/** Classifies a non-success status per DESIGN §2; `what` names the call, e.g. "token endpoint". */
export function failureFromStatus(response: OutboundResponse, probe: PartnerProbe, what: string, latencyMs: number): PartnerFailure {
  const status = response.status;
  const code = response.body.kind === 'json' ? partnerErrorCode(response.body.value) : undefined;
  const detail = `${what} answered ${status}${code ? ` ${code}` : ''}`;
  const facts = { httpStatus: status, latencyMs };
  if (status === 400 || status === 401) return failure(probe, 'invalid_credentials', 'credentials_rejected', detail, facts);
  if (status === 403) return failure(probe, 'forbidden', 'access_denied', detail, facts);
  if (status === 429) {
    const retryAfter = retryAfterSeconds(response.headers['retry-after']);
    return failure(probe, 'throttled', 'rate_limited', detail, { ...facts, retryAfterSeconds: retryAfter });
  }
  if (status >= 500) return failure(probe, 'vendor_error', 'vendor_unavailable', detail, facts);
  return failure(probe, 'contract', 'unexpected_status', detail, facts);
}

/** A 2xx whose body is not the JSON we need: HTML pages, truncated JSON, empty bodies. */
export function failureFromBody(response: OutboundResponse, probe: PartnerProbe, what: string, latencyMs: number): PartnerFailure {
  const facts = { httpStatus: response.status, latencyMs };
  switch (response.body.kind) {
    case 'invalid_json':
      return failure(probe, 'contract', 'malformed_json', `${what} answered ${response.status} with malformed JSON`, facts);
    case 'not_json':
      return failure(
        probe,
        'contract',
        'not_json',
        `${what} answered ${response.status} with ${response.body.contentType}, not JSON`,
        facts,
      );
    case 'empty':
      return failure(probe, 'contract', 'unexpected_shape', `${what} answered ${response.status} with an empty body`, facts);
    case 'json':
      return failure(probe, 'contract', 'unexpected_shape', `${what} answered ${response.status} with an unexpected JSON shape`, facts);
  }
}

export function isSuccess(response: OutboundResponse): boolean {
  return response.status >= 200 && response.status < 300;
}
