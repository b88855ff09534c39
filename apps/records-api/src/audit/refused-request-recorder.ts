import { BeforeApplicationShutdown, Injectable, Logger } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { InjectDataSource } from '@nestjs/typeorm';
import type { NextFunction, Request, Response } from 'express';
import { DataSource } from 'typeorm';
import { appendAuditRecords, EnvironmentVariables, type AuditEntry } from '@app/common';
import { AccessEventBuffer } from './access-event-buffer';
import { requestActor } from './request-actor';
import { RouteAuditRegistry, type AuditedRoute } from './route-audit-registry';
import type { RouteAudit } from './route-audit.decorator';

const MAX_TARGET_ID = 200;
const MAX_PATH = 300;

/** As Express hands the parameter to the handler (a 2xx means Express could decode it). */
function decodedParam(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

/**
 * Reads of `access` routes that answered 2xx are handed to the AccessEventBuffer once the answer
 * has gone out. This is done here rather than in a Nest interceptor because the route is matched
 * here for every request anyway, and a global interceptor costs every request Nest's interceptor
 * chain (rxjs, async-context binding): about a tenth of the CPU of a read by id (bench/README.md).
 *
 * Denied requests (401/403) and failed attempts on routes that touch secret material
 * (`recordFailures`, e.g. reveal) get an audit row of their own, in their own transaction: the
 * request's transaction, if any, was rolled back.
 *
 * It watches the response rather than the exception filter because some refusals never reach
 * Nest's filters with the route known (a 1 MB body is refused by the body parser, before routing).
 * The hook is installed on the HTTP adapter while providers are instantiated, i.e. before
 * create-app.ts adds the request-id and body-parser middleware, so it sees every request.
 */
@Injectable()
export class RefusedRequestRecorder implements BeforeApplicationShutdown {
  private readonly logger = new Logger(RefusedRequestRecorder.name);
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    adapterHost: HttpAdapterHost,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly registry: RouteAuditRegistry,
    private readonly env: EnvironmentVariables,
    private readonly accessEvents: AccessEventBuffer,
  ) {
    adapterHost.httpAdapter.use((req: Request, res: Response, next: NextFunction) => {
      res.once('finish', () => this.onFinish(req, res));
      next();
    });
  }

  /** Waits for rows still being written (tests; shutdown). */
  async settled(): Promise<void> {
    await Promise.all([...this.inFlight]);
  }

  /** A refusal answered just before shutdown still gets its row, before the pool closes. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.settled();
  }

  private onFinish(req: Request, res: Response): void {
    const path = req.originalUrl.split('?')[0].slice(0, MAX_PATH);
    const matched = this.registry.match(req.method, path);
    const audit = matched?.route.audit;
    if (audit?.kind === 'access' && res.statusCode >= 200 && res.statusCode < 300) {
      this.recordAccess(req, audit, matched?.params ?? {});
      return;
    }
    const entry = this.entryFor(req, res.statusCode, path, matched);
    if (!entry) return;
    const write = this.dataSource
      .transaction((manager) => appendAuditRecords(manager, [{ actor: requestActor(req), entry }], this.env.AUDIT_CHAIN_COUNT))
      .then(
        () => undefined,
        (error: unknown) =>
          this.logger.error(
            { err: error, requestId: requestActor(req).requestId, action: entry.action, outcome: entry.outcome },
            'could not audit a refused request',
          ),
      );
    this.inFlight.add(write);
    void write.finally(() => this.inFlight.delete(write));
  }

  private recordAccess(req: Request, audit: Extract<RouteAudit, { kind: 'access' }>, params: Record<string, string>): void {
    const targetId = audit.target ? (params[audit.target.param] ?? null) : null;
    this.accessEvents.record({
      actor: requestActor(req),
      entry: {
        action: audit.action,
        targetType: audit.target?.type ?? null,
        targetId: targetId === null ? null : decodedParam(targetId),
        metadata: { method: req.method, path: req.path },
      },
    });
  }

  private entryFor(
    req: Request,
    status: number,
    path: string,
    matched: { route: AuditedRoute; params: Record<string, string> } | null,
  ): AuditEntry | null {
    const denied = status === 401 || status === 403;
    const audit = matched?.route.audit ?? null;
    const recordFailure = status >= 400 && audit?.kind === 'handler' && audit.recordFailures;
    if (!denied && !recordFailure) return null;
    const action = audit && audit.kind !== 'none' ? audit.action : 'access.denied';
    const target = audit && audit.kind !== 'none' ? audit.target : null;
    const targetId = target ? (matched?.params[target.param]?.slice(0, MAX_TARGET_ID) ?? null) : null;
    return {
      action,
      outcome: denied ? 'denied' : 'failure',
      targetType: targetId ? (target?.type ?? null) : null,
      targetId,
      // Never the body: a failed reveal's body is what the caller sent, possibly huge or secret.
      metadata: { method: req.method, path, statusCode: status, authenticated: Boolean((req as Request & { user?: unknown }).user) },
    };
  }
}
