import type { Readable } from 'node:stream';
import { AddressRefusal } from './guarded-connector';
import {
  NetworkFailureKind,
  OutboundError,
  OutboundNetworkError,
  OutboundRefusedError,
  OutboundTarget,
  OutboundTimeoutError,
  ResponseTooLargeError,
} from './outbound-errors';

/** Reads at most `limit` bytes; a bigger body is cut off and reported, never buffered whole. */
export async function readCappedBody(body: Readable, limit: number, target: OutboundTarget, status: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) {
      body.destroy();
      throw new ResponseTooLargeError(target, limit, status);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

const TIMEOUT_CODES = ['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT', 'ETIMEDOUT'];
const DNS_CODES = ['ENOTFOUND', 'EAI_AGAIN', 'EAI_FAIL', 'EAI_NODATA', 'EAI_NONAME'];
const CONNECT_CODES = ['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL'];
const RESET_CODES = ['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED'];
const TLS_CODE = /^(ERR_TLS_|ERR_SSL_|CERT_|DEPTH_ZERO_|SELF_SIGNED_|UNABLE_TO_|HOSTNAME_MISMATCH)/;

function errorCode(error: unknown): string {
  if (typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string') return error.code;
  return 'UNKNOWN';
}

function networkKind(code: string): NetworkFailureKind {
  if (DNS_CODES.includes(code)) return 'dns';
  if (CONNECT_CODES.includes(code)) return 'connect';
  if (RESET_CODES.includes(code)) return 'connection_reset';
  if (TLS_CODE.test(code)) return 'tls';
  return 'other';
}

/**
 * Maps whatever undici or the connector threw to a typed OutboundError. Only the error code is
 * carried over: library messages are not needed and are not trusted to be free of secrets.
 */
export function translateOutboundError(error: unknown, target: OutboundTarget, aborted: boolean, timeoutMs: number): OutboundError {
  if (error instanceof OutboundError) return error;
  if (error instanceof AddressRefusal) {
    const where = error.hostname === error.address ? error.address : `${error.hostname} resolves to ${error.address}, which`;
    return new OutboundRefusedError('address_not_allowed', target, `${where} is not a public address (${error.range})`);
  }
  const code = errorCode(error);
  if (aborted || TIMEOUT_CODES.includes(code)) return new OutboundTimeoutError(target, timeoutMs);
  return new OutboundNetworkError(networkKind(code), target, code);
}
