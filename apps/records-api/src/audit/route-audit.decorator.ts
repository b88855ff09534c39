import { SetMetadata } from '@nestjs/common';
import type { AuditAction } from '@app/common';

export const ROUTE_AUDIT_KEY = 'routeAudit';

/** Which path parameter names the audited record, so denied and access rows carry a target. */
export interface AuditTarget {
  type: string;
  param: string;
}

export const INSTALLATION_TARGET: AuditTarget = { type: 'installation', param: 'id' };

/**
 * What a route contributes to the audit trail; every route declares exactly one (a test enumerates
 * them). `handler`: the service writes the row inside the change's own transaction (fail closed).
 * `access`: a read, recorded after a 2xx answer by RefusedRequestRecorder (buffered). `none`: opted out,
 * with the reason a reviewer can judge.
 */
export type RouteAudit =
  | { kind: 'handler'; action: AuditAction; target: AuditTarget | null; recordFailures: boolean }
  | { kind: 'access'; action: AuditAction; target: AuditTarget | null }
  | { kind: 'none'; reason: string };

/**
 * The handler writes `action` in its transaction. `recordFailures`: also append a `failure` row
 * when the request fails (4xx/5xx), for routes touching secret material such as reveal.
 */
export const Audited = (
  action: AuditAction,
  options: { target?: AuditTarget; recordFailures?: boolean } = {},
): MethodDecorator & ClassDecorator =>
  SetMetadata<string, RouteAudit>(ROUTE_AUDIT_KEY, {
    kind: 'handler',
    action,
    target: options.target ?? null,
    recordFailures: options.recordFailures ?? false,
  });

/** A read recorded as an access event after a successful response. */
export const AccessAudited = (action: AuditAction, target: AuditTarget | null = null): MethodDecorator & ClassDecorator =>
  SetMetadata<string, RouteAudit>(ROUTE_AUDIT_KEY, { kind: 'access', action, target });

/** Opt out, saying why (e.g. 'health probe: no records involved'). */
export function NotAudited(reason: string): MethodDecorator & ClassDecorator {
  if (reason.trim().length < 8) throw new Error('@NotAudited needs a stated reason');
  return SetMetadata<string, RouteAudit>(ROUTE_AUDIT_KEY, { kind: 'none', reason });
}
