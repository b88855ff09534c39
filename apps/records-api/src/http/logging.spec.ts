import { Writable } from 'node:stream';
import { EventEmitter } from 'node:events';
import type { NextFunction, Request, Response } from 'express';
import { createRootLogger, isRequestLogged, JsonLogger, requestLogger } from './logging';

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

function fakeExchange(statusCode: number, finished: boolean): { req: Request; res: Response & EventEmitter } {
  const req = {
    id: 'req-123',
    method: 'GET',
    originalUrl: '/v1/installations/abc',
    socket: { remoteAddress: '127.0.0.1' },
    headers: { authorization: 'Bearer secret-token' },
  } as unknown as Request;
  const res = Object.assign(new EventEmitter(), { statusCode, writableFinished: finished }) as unknown as Response & EventEmitter;
  return { req, res };
}

describe('request logger', () => {
  it('writes one JSON line per request with its request id, method, path, status and the service', () => {
    const { stream, lines } = capture();
    const { req, res } = fakeExchange(200, true);
    const next = jest.fn() as NextFunction;
    requestLogger(createRootLogger('info', stream))(req, res, next);
    expect(next).toHaveBeenCalledTimes(1);
    expect(isRequestLogged(req)).toBe(true);
    res.emit('close');
    const [line] = lines();
    expect(line).toMatchObject({
      level: 30,
      service: 'records-api',
      msg: 'request completed',
      req: { id: 'req-123', method: 'GET', url: '/v1/installations/abc' },
      res: { statusCode: 200 },
    });
    expect(typeof line.responseTime).toBe('number');
    expect(JSON.stringify(line)).not.toContain('secret-token');
  });

  it('logs a 5xx at error and a request the client abandoned at warn', () => {
    const { stream, lines } = capture();
    const log = requestLogger(createRootLogger('warn', stream));
    const failed = fakeExchange(500, true);
    const aborted = fakeExchange(200, false);
    const ok = fakeExchange(200, true);
    for (const { req, res } of [failed, aborted, ok]) {
      log(req, res, jest.fn());
      res.emit('close');
    }
    expect(lines().map((l) => [l.level, l.msg])).toEqual([
      [50, 'request completed'],
      [40, 'request aborted'],
    ]);
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
