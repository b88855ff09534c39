import { BeforeApplicationShutdown, Injectable, Logger } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { InjectDataSource } from '@nestjs/typeorm';
import type { NextFunction, Request, Response } from 'express';
import { DataSource } from 'typeorm';
import { appendAuditRecords, EnvironmentVariables, type AuditEntry } from '@app/common';
import { requestActor } from './request-actor';
import { RouteAuditRegistry } from './route-audit-registry';

const MAX_TARGET_ID = 200;
const MAX_PATH = 300;

/**
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
    const entry = this.entryFor(req, res.statusCode);
    if (!entry) return;
    const write = this.dataSource
      .transaction((manager) => appendAuditRecords(manager, [{ actor: requestActor(req), entry }], this.env.AUDIT_CHAIN_COUNT))
      .then(
        () => undefined,
        (error: unknown) =>
          this.logger.error({ err: error, action: entry.action, outcome: entry.outcome }, 'could not audit a refused request'),
      );
    this.inFlight.add(write);
    void write.finally(() => this.inFlight.delete(write));
  }

  private entryFor(req: Request, status: number): AuditEntry | null {
    const denied = status === 401 || status === 403;
    const path = req.originalUrl.split('?')[0].slice(0, MAX_PATH);
    const matched = this.registry.match(req.method, path);
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
