import { BeforeApplicationShutdown, Injectable, Logger } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { InjectDataSource } from '@nestjs/typeorm';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

type OnSendDone = (error: Error | null, payload: unknown) => void;
import { DataSource } from 'typeorm';
import { appendAuditRecords, EnvironmentVariables, type AuditEntry } from '@app/common';
import { AccessEventBuffer } from './access-event-buffer';
import { requestActor } from './request-actor';
import { RouteAuditRegistry, type AuditedRoute } from './route-audit-registry';
import type { RouteAudit } from './route-audit.decorator';

const MAX_TARGET_ID = 200;
const MAX_PATH = 300;

/** The URL's path, without the query string. */
function pathOf(url: string): string {
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}

/** A HEAD request runs the GET route's handler (Fastify exposes one for every GET): it is that read. */
const routeMethod = (method: string): string => (method === 'HEAD' ? 'GET' : method);

/**
 * Reads of `access` routes that answered 2xx are handed to the AccessEventBuffer once the answer
 * is on its way. This is done here rather than in a Nest interceptor because the route is matched
 * here for every request anyway, and a global interceptor costs every request Nest's interceptor
 * chain (rxjs, async-context binding): about a tenth of the CPU of a read by id (bench/README.md).
 *
 * Denied requests (401/403) and failed attempts on routes that touch secret material
 * (`recordFailures`, e.g. reveal) get an audit row of their own, in their own transaction: the
 * request's transaction, if any, was rolled back.
 *
 * It watches the response (Fastify's onSend hook, for every request, also those the body parser
 * refuses) rather than the exception filter, because a refusal before the handler says nothing of
 * the route to Nest's filters. Fastify has matched the route before parsing the body, so the route
 * template (`request.routeOptions.url`) names the audit declaration and `request.params` holds the
 * decoded parameters: no pattern is tried per request.
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
    adapterHost.httpAdapter.getInstance<FastifyInstance>().addHook('onSend', this.onSend);
  }

  /** Waits for rows still being written (tests; shutdown). */
  async settled(): Promise<void> {
    await Promise.all([...this.inFlight]);
  }

  /** A refusal answered just before shutdown still gets its row, before the pool closes. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.settled();
  }

  /**
   * onSend, not onResponse: the answer is decided and on its way. onResponse waits for the socket
   * to finish, so a client hanging up first (a read whose data left the service) left no row.
   */
  private readonly onSend = (request: FastifyRequest, reply: FastifyReply, payload: unknown, done: OnSendDone): void => {
    this.onFinish(request, reply.statusCode);
    done(null, payload);
  };

  /**
   * A request Fastify's router refused before any hook ran (a path parameter with broken
   * percent-encoding or past maxParamLength; see create-app.ts): audited like any other refusal,
   * the route found by its path.
   */
  recordRouterRefusal(req: FastifyRequest, status: number): void {
    this.onFinish(req, status);
  }

  private onFinish(req: FastifyRequest, status: number): void {
    const template = req.routeOptions?.url;
    // No template: the router refused the request before matching (recordRouterRefusal) or found no
    // route (404). The path is matched against the declarations instead.
    const unrouted = template === undefined ? this.registry.match(req.method, pathOf(req.url).slice(0, MAX_PATH)) : null;
    const route = template === undefined ? (unrouted?.route ?? null) : this.registry.forTemplate(routeMethod(req.method), template);
    const audit = route?.audit;
    if (audit?.kind === 'access' && status >= 200 && status < 300) {
      this.recordAccess(req, audit);
      return;
    }
    const denied = status === 401 || status === 403;
    const recordFailure = status >= 400 && audit?.kind === 'handler' && audit.recordFailures;
    if (!denied && !recordFailure) return;
    const path = pathOf(req.url).slice(0, MAX_PATH);
    // Denied requests reach here routed (guards run on routes); the path match is a fallback only.
    const matched =
      template === undefined
        ? unrouted
        : route
          ? { route, params: req.params as Record<string, string> }
          : this.registry.match(req.method, path);
    const entry = this.entryFor(req, status, path, matched);
    const write = this.dataSource
      .transaction((manager) => appendAuditRecords(manager, [{ actor: requestActor(req), entry }], this.env.AUDIT_CHAIN_COUNT))
      .then(
        () => undefined,
        (error: unknown) =>
          this.logger.error(
            { err: error, requestId: req.id, action: entry.action, outcome: entry.outcome },
            'could not audit a refused request',
          ),
      );
    this.inFlight.add(write);
    void write.finally(() => this.inFlight.delete(write));
  }

  private recordAccess(req: FastifyRequest, audit: Extract<RouteAudit, { kind: 'access' }>): void {
    const targetId = audit.target ? ((req.params as Record<string, string | undefined>)[audit.target.param] ?? null) : null;
    this.accessEvents.record({
      actor: requestActor(req),
      entry: {
        action: audit.action,
        targetType: audit.target?.type ?? null,
        targetId,
        metadata: { method: req.method, path: pathOf(req.url) },
      },
      occurredAt: new Date(),
    });
  }

  private entryFor(
    req: FastifyRequest,
    status: number,
    path: string,
    matched: { route: AuditedRoute; params: Record<string, string> } | null,
  ): AuditEntry {
    const denied = status === 401 || status === 403;
    const audit = matched?.route.audit ?? null;
    const action = audit && audit.kind !== 'none' ? audit.action : 'access.denied';
    const target = audit && audit.kind !== 'none' ? audit.target : null;
    const targetId = target ? (matched?.params[target.param]?.slice(0, MAX_TARGET_ID) ?? null) : null;
    return {
      action,
      outcome: denied ? 'denied' : 'failure',
      targetType: targetId ? (target?.type ?? null) : null,
      targetId,
      // Never the body: a failed reveal's body is what the caller sent, possibly huge or secret.
      metadata: { method: req.method, path, statusCode: status, authenticated: Boolean((req as FastifyRequest & { user?: unknown }).user) },
    };
  }
}
