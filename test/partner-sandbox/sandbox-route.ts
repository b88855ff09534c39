import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { SandboxReply } from './http-io';
import type { SandboxRoute } from './sandbox-config';

/** One partner request as the protocol handlers see it (body already read, size-capped). */
export interface SandboxCall {
  method: string;
  path: string;
  query: URLSearchParams;
  req: IncomingMessage;
  body: string;
}

/** Who is calling: `label` is safe to count and log; `faultKeys` select injected failures. */
export interface CallerIdentity {
  label: string;
  faultKeys: string[];
}

export interface RouteMatch {
  route: SandboxRoute;
  caller: CallerIdentity;
  answer(): SandboxReply;
}

/** Calls with no recognisable credential; faults keyed `unknown` target exactly these. */
export const UNKNOWN_CALLER: CallerIdentity = { label: 'unknown', faultKeys: ['unknown'] };

/** Constant-time comparison, so the sandbox does not teach timing attacks by example. */
export function sameSecret(a: string, b: string): boolean {
  const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();
  return timingSafeEqual(digest(a), digest(b));
}

export function methodNotAllowed(allowed: string): SandboxReply {
  return { status: 405, json: { error: 'method_not_allowed' }, headers: { allow: allowed } };
}
