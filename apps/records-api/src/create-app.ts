import 'reflect-metadata';
import { BadRequestException } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { EnvironmentVariables } from '@app/common';
import { AppModule } from './app.module';
import { RefusedRequestRecorder } from './audit/refused-request-recorder';
import { ErrorEnvelopeFilter } from './http/error-envelope.filter';
import { useStrictJsonBody } from './http/json-body';
import { createRootLogger, JsonLogger, requestLogHooks } from './http/logging';
import { echoRequestId, requestIdOf } from './http/request-id';
import { createValidationPipe } from './http/validation.pipe';
import { setupOpenApi } from './openapi';

/** Every route lives under /v1 except the probes (and metrics, kept out for scrapers). */
export const GLOBAL_PREFIX = 'v1';
export const UNPREFIXED_ROUTES = ['health/live', 'health/ready', 'metrics'];

/**
 * Errors Fastify's router answers itself, before any hook or Nest filter (a path parameter with a
 * broken percent-encoding, or longer than maxParamLength): answered with the same envelope.
 */
function routerErrorEnvelope(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  void reply.header('X-Request-Id', request.id);
  new ErrorEnvelopeFilter().catch(new BadRequestException(error.message), new ExecutionContextHost([request, reply]));
}

/**
 * What must still hear of a request the router refused, since no hook runs for it: the access log
 * and the audit trail (a reveal with a broken id is a failed attempt on secret material). Set once
 * the application exists; the adapter is built before it.
 */
interface RouterRefusals {
  notify?: (request: FastifyRequest, reply: FastifyReply) => void;
}

/**
 * The HTTP adapter: Fastify rather than Express, whose router layers and response helpers were
 * about a quarter of the CPU of a read by id (bench/README.md). Settings keep Express's behaviour:
 * one trusted proxy hop, trailing slash and case-insensitive paths accepted, no length limit on a
 * path parameter short of the URL's own (validation answers a bad id, not a 404).
 */
function httpAdapter(refusals: RouterRefusals): FastifyAdapter {
  return new FastifyAdapter({
    // Behind one proxy hop (load balancer); a client-sent X-Forwarded-For chain is not trusted beyond it.
    trustProxy: 1,
    // Node's own default, which the Express server had: a request (headers and body) must arrive
    // within 5 minutes. Fastify's default, 0, lets a slow sender hold a connection for ever.
    requestTimeout: 300_000,
    genReqId: requestIdOf,
    routerOptions: { ignoreTrailingSlash: true, caseSensitive: false, maxParamLength: 2048 },
    frameworkErrors: (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
      routerErrorEnvelope(error, request, reply);
      refusals.notify?.(request, reply);
    },
    // No Nest middleware is used: hooks below do what middleware did, without @fastify/middie's pass.
    skipMiddie: true,
  });
}

/** Builds the configured application; main.ts listens, tests and the OpenAPI export reuse it. */
export async function createApp(): Promise<NestFastifyApplication> {
  const refusals: RouterRefusals = {};
  const app = await NestFactory.create<NestFastifyApplication>(AppModule, httpAdapter(refusals), { bodyParser: false, bufferLogs: true });
  const env = app.get(EnvironmentVariables);
  const logger = createRootLogger(env.LOG_LEVEL);
  const recorder = app.get(RefusedRequestRecorder);
  refusals.notify = (request, reply) => {
    logger.info(
      {
        req: { id: request.id, method: request.method, url: request.url, remoteAddress: request.socket.remoteAddress },
        res: { statusCode: reply.statusCode },
      },
      'request refused by the router',
    );
    recorder.recordRouterRefusal(request, reply.statusCode);
  };
  app.useLogger(new JsonLogger(logger));
  const fastify = app.getHttpAdapter().getInstance();
  // Runs before body parsing, so even a malformed body's error carries the id.
  fastify.addHook('onRequest', echoRequestId);
  const logHooks = requestLogHooks(logger);
  fastify.addHook('onRequest', logHooks.onRequest);
  fastify.addHook('onResponse', logHooks.onResponse);
  useStrictJsonBody(fastify, env.BODY_LIMIT_BYTES);
  app.setGlobalPrefix(GLOBAL_PREFIX, { exclude: UNPREFIXED_ROUTES });
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(new ErrorEnvelopeFilter());
  app.enableShutdownHooks();
  setupOpenApi(app);
  return app;
}

/**
 * Ready to serve: Nest's init, then Fastify's own (its plugins and hooks are applied at `ready`).
 * Tests hand `app.getHttpServer()` to supertest only after this.
 */
export async function initApp(app: NestFastifyApplication): Promise<NestFastifyApplication> {
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  return app;
}
