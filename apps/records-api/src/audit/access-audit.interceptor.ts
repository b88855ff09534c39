import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { Observable, tap } from 'rxjs';
import { AccessEventBuffer } from './access-event-buffer';
import { requestActor } from './request-actor';
import { ROUTE_AUDIT_KEY, type RouteAudit } from './route-audit.decorator';

/** Records `access` routes after they answered successfully; failures are not accesses. */
@Injectable()
export class AccessAuditInterceptor implements NestInterceptor {
  constructor(
    private readonly reflector: Reflector,
    private readonly buffer: AccessEventBuffer,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const audit = this.reflector.getAllAndOverride<RouteAudit | undefined>(ROUTE_AUDIT_KEY, [context.getHandler(), context.getClass()]);
    if (context.getType() !== 'http' || audit?.kind !== 'access') return next.handle();
    const req = context.switchToHttp().getRequest<Request>();
    const param: unknown = audit.target ? req.params[audit.target.param] : undefined;
    const targetId = typeof param === 'string' ? param : null;
    return next.handle().pipe(
      tap(() =>
        this.buffer.record({
          actor: requestActor(req),
          entry: {
            action: audit.action,
            targetType: audit.target?.type ?? null,
            targetId,
            metadata: { method: req.method, path: req.path },
          },
        }),
      ),
    );
  }
}
