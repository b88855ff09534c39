import type { LoggerService } from '@nestjs/common';
import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import type { ServerResponse } from 'node:http';
import pino, { type Level, type Logger } from 'pino';

/**
 * Structured JSON logs (pino), one line per request with its request id. Headers that carry
 * secrets are redacted, and bodies are never logged (they may hold credentials).
 *
 * Not nestjs-pino / pino-http: those bind a child logger to every request through
 * AsyncLocalStorage, which on Node 20 installs promise hooks that tax every promise in the
 * process, and build the request's log line even when the level discards it — together about a
 * sixth of the API's CPU per read (bench/README.md). Lines written while handling a request carry
 * its id explicitly (the request line, the error envelope's lines).
 */
export function createRootLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { pid: process.pid, service: 'records-api' },
      redact: { paths: ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]'], censor: '[redacted]' },
    },
    destination,
  );
}

const REQUEST_ID = Symbol('requestId');
type TaggedResponse = ServerResponse & { [REQUEST_ID]?: string };

/**
 * The access log, as Fastify hooks: one line per request with the request id, method, path, status
 * and time, at `info` when the answer went out (`error` for 5xx), at `warn` when the client went
 * away first. Hooks run for every routed request, also those the body parser refuses, and nothing
 * is built when the level would discard the line.
 */
export function requestLogHooks(logger: Logger): {
  onRequest: (request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction) => void;
  onResponse: (request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction) => void;
} {
  /**
   * A response closed before it finished: the client went away. One shared listener (no closure
   * per request); what it logs is on the response itself, the request id tagged on by onRequest.
   */
  function onClose(this: TaggedResponse): void {
    if (this.writableFinished) return;
    logger.warn(
      {
        req: {
          id: this[REQUEST_ID],
          method: this.req.method,
          url: this.req.url,
          remoteAddress: this.req.socket?.remoteAddress,
        },
        res: { statusCode: this.statusCode },
      },
      'request aborted',
    );
  }
  const logAborted = logger.isLevelEnabled('warn');
  return {
    onRequest(request, reply, done) {
      if (logAborted) {
        (reply.raw as TaggedResponse)[REQUEST_ID] = request.id;
        reply.raw.on('close', onClose);
      }
      done();
    },
    onResponse(request, reply, done) {
      // Fastify also calls this when the response errored; a response cut short is onClose's.
      if (reply.raw.writableFinished) {
        const level: Level = reply.statusCode >= 500 ? 'error' : 'info';
        if (logger.isLevelEnabled(level)) {
          logger[level](
            {
              req: { id: request.id, method: request.method, url: request.url, remoteAddress: request.socket.remoteAddress },
              res: { statusCode: reply.statusCode },
              responseTime: Math.round(reply.elapsedTime),
            },
            'request completed',
          );
        }
      }
      done();
    },
  };
}

/**
 * Nest's logger interface on pino. `logger.error({ ...fields }, 'message')` writes the fields as
 * JSON properties; Nest appends the logger's context as the last argument.
 */
export class JsonLogger implements LoggerService {
  constructor(private readonly pino: Logger) {}

  log(message: unknown, ...params: unknown[]): void {
    this.write('info', message, params);
  }
  error(message: unknown, ...params: unknown[]): void {
    this.write('error', message, params);
  }
  warn(message: unknown, ...params: unknown[]): void {
    this.write('warn', message, params);
  }
  debug(message: unknown, ...params: unknown[]): void {
    this.write('debug', message, params);
  }
  verbose(message: unknown, ...params: unknown[]): void {
    this.write('trace', message, params);
  }
  fatal(message: unknown, ...params: unknown[]): void {
    this.write('fatal', message, params);
  }

  private write(level: Level, message: unknown, params: unknown[]): void {
    if (!this.pino.isLevelEnabled(level)) return;
    const fields: Record<string, unknown> = {};
    if (params.length > 0) fields.context = params[params.length - 1];
    const rest = params.slice(0, -1).filter((p) => p !== undefined);
    if (message instanceof Error) {
      this.pino[level]({ ...fields, err: message }, message.message);
    } else if (typeof message === 'object' && message !== null) {
      this.pino[level]({ ...fields, ...message }, rest.length > 0 ? rest.map(String).join(' ') : undefined);
    } else if (level === 'error' && rest.length === 1 && typeof rest[0] === 'string' && /\n\s*at /.test(rest[0])) {
      // Nest's own contract for errors: (message, stack, context).
      this.pino.error({ ...fields, err: { message: String(message), stack: rest[0] } }, String(message));
    } else {
      this.pino[level](fields, [message, ...rest].map(String).join(' '));
    }
  }
}
