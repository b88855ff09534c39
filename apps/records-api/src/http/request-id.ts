import type { IncomingMessage } from 'node:http';
import { randomUUID } from 'node:crypto';
import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';

const ACCEPTABLE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * Fastify's `genReqId`: takes the caller's X-Request-Id when it is well formed (so one id follows a
 * call across systems), otherwise mints one. Fastify calls it once per request, before routing, so
 * even a request refused by the router or the body parser has its id (`request.id`).
 */
export function requestIdOf(req: IncomingMessage): string {
  const offered = req.headers['x-request-id'];
  return typeof offered === 'string' && ACCEPTABLE_REQUEST_ID.test(offered) ? offered : randomUUID();
}

/**
 * `onRequest` hook: echoes the id on every response. On Fastify's reply rather than the raw
 * response: a header set on the raw response sends Node's writeHead down its slow path (merging
 * the two header sets) on every answer. A hijacked reply (the streamed audit export) copies
 * `reply.getHeaders()` into its own head.
 */
export function echoRequestId(request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction): void {
  reply.header('X-Request-Id', request.id);
  done();
}
