/**
 * Typed failures of an outbound partner call. Messages name method, host and path only: never a
 * query string, header, request body or response body, because those can carry secrets.
 */

export interface OutboundTarget {
  method: string;
  host: string;
  path: string;
}

export abstract class OutboundError extends Error {
  protected constructor(
    message: string,
    readonly target: OutboundTarget,
  ) {
    super(`${target.method} ${target.host}${target.path}: ${message}`);
  }
}

export type OutboundRefusal = 'host_not_allowed' | 'address_not_allowed' | 'redirect_refused' | 'scheme_not_allowed';

/** The call was not made (or its redirect not followed) because policy forbids the destination. */
export class OutboundRefusedError extends OutboundError {
  override readonly name = 'OutboundRefusedError';

  constructor(
    readonly reason: OutboundRefusal,
    target: OutboundTarget,
    explanation: string,
    /** The HTTP status when a response was received (a refused redirect). */
    readonly httpStatus?: number,
  ) {
    super(`refused (${reason}): ${explanation}`, target);
  }
}

export class OutboundTimeoutError extends OutboundError {
  override readonly name = 'OutboundTimeoutError';

  constructor(
    target: OutboundTarget,
    readonly timeoutMs: number,
  ) {
    super(`no complete answer within ${timeoutMs} ms`, target);
  }
}

export type NetworkFailureKind = 'dns' | 'tls' | 'connect' | 'connection_reset' | 'other';

export class OutboundNetworkError extends OutboundError {
  override readonly name = 'OutboundNetworkError';

  constructor(
    readonly kind: NetworkFailureKind,
    target: OutboundTarget,
    /** The system or undici error code (e.g. ECONNREFUSED), safe to log. */
    readonly code: string,
  ) {
    super(`${kind} failure (${code})`, target);
  }
}

export class ResponseTooLargeError extends OutboundError {
  override readonly name = 'ResponseTooLargeError';

  constructor(
    target: OutboundTarget,
    readonly limitBytes: number,
    readonly httpStatus: number,
  ) {
    super(`response body exceeds ${limitBytes} bytes`, target);
  }
}
