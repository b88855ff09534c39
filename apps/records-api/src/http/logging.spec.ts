import { Writable } from 'node:stream';
import { EventEmitter } from 'node:events';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ServerResponse } from 'node:http';
import { createRootLogger, JsonLogger, requestLogHooks } from './logging';

function capture(): { stream: Writable; lines: () => Record<string, unknown>[] } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString('utf8'));
      done();
    },
  });
  const lines = () =>
    chunks
      .join('')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  return { stream, lines };
}

interface FakeExchange {
  request: FastifyRequest;
  reply: FastifyReply;
  raw: ServerResponse & EventEmitter;
}

/** What the hooks read of Fastify's request and reply, and the raw response whose events they watch. */
function fakeExchange(statusCode: number, finished: boolean): FakeExchange {
  const socket = { remoteAddress: '127.0.0.1' };
  const rawRequest = { method: 'GET', url: '/v1/installations/abc', socket, headers: { authorization: 'Bearer secret-token' } };
  const raw = Object.assign(new EventEmitter(), {
    statusCode,
    writableFinished: finished,
    req: rawRequest,
  }) as unknown as ServerResponse & EventEmitter;
  const request = {
    id: 'req-123',
    method: 'GET',
    url: '/v1/installations/abc',
    socket,
    headers: rawRequest.headers,
  } as unknown as FastifyRequest;
  const reply = { statusCode, elapsedTime: 3.4, raw } as unknown as FastifyReply;
  return { request, reply, raw };
}

/** Runs a request through the hooks as Fastify would: onRequest, then the end of the response. */
function serve(hooks: ReturnType<typeof requestLogHooks>, exchange: FakeExchange): void {
  const done = jest.fn();
  hooks.onRequest(exchange.request, exchange.reply, done);
  if (exchange.raw.writableFinished) hooks.onResponse(exchange.request, exchange.reply, done);
  exchange.raw.emit('close');
  expect(done).toHaveBeenCalledTimes(exchange.raw.writableFinished ? 2 : 1);
}

describe('request log hooks', () => {
  it('write one JSON line per request with its request id, method, path, status and the service', () => {
    const { stream, lines } = capture();
    serve(requestLogHooks(createRootLogger('info', stream)), fakeExchange(200, true));
    const all = lines();
    expect(all).toHaveLength(1);
    expect(all[0]).toMatchObject({
      level: 30,
      service: 'records-api',
      msg: 'request completed',
      req: { id: 'req-123', method: 'GET', url: '/v1/installations/abc' },
      res: { statusCode: 200 },
      responseTime: 3,
    });
    expect(JSON.stringify(all[0])).not.toContain('secret-token');
  });

  it('log a 5xx at error and a request the client abandoned at warn, with its request id', () => {
    const { stream, lines } = capture();
    const hooks = requestLogHooks(createRootLogger('warn', stream));
    for (const exchange of [fakeExchange(500, true), fakeExchange(200, false), fakeExchange(200, true)]) serve(hooks, exchange);
    const all = lines();
    expect(all.map((l) => [l.level, l.msg])).toEqual([
      [50, 'request completed'],
      [40, 'request aborted'],
    ]);
    expect(all[1]).toMatchObject({ req: { id: 'req-123', method: 'GET', url: '/v1/installations/abc' } });
  });
});

describe('JsonLogger', () => {
  it('writes Nest log calls as JSON with the fields, the message and the context', () => {
    const { stream, lines } = capture();
    const logger = new JsonLogger(createRootLogger('info', stream));
    logger.error({ errorId: 'e1', requestId: 'r1', err: new Error('boom') }, 'unhandled error', 'ErrorEnvelope');
    logger.log('Mapped {/v1/installations, GET} route', 'RouterExplorer');
    logger.debug('not written at info', 'X');
    const [error, info, ...rest] = lines();
    expect(error).toMatchObject({ level: 50, msg: 'unhandled error', context: 'ErrorEnvelope', errorId: 'e1', requestId: 'r1' });
    expect((error.err as { message: string }).message).toBe('boom');
    expect(info).toMatchObject({ level: 30, msg: 'Mapped {/v1/installations, GET} route', context: 'RouterExplorer' });
    expect(rest).toHaveLength(0);
  });
});
