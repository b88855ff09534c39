import type { LoggerService } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import pino, { type Level, type Logger } from 'pino';
import type { RequestWithId } from './request-id.middleware';

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

const LOGGED = Symbol('requestLogged');

/** Whether the request logger saw this request (it runs after the body parser, which may refuse first). */
export function isRequestLogged(req: Request): boolean {
  return (req as Request & { [LOGGED]?: boolean })[LOGGED] === true;
}

/**
 * The access log: when the response is done, one line with the request id, method, path, status
 * and time, at `info` (`error` for 5xx, `warn` when the client went away before the answer). Nothing
 * is built when the level would discard the line.
 */
export function requestLogger(logger: Logger): (req: Request, res: Response, next: NextFunction) => void {
  return (req, res, next) => {
    (req as Request & { [LOGGED]?: boolean })[LOGGED] = true;
    const started = performance.now();
    res.once('close', () => {
      const finished = res.writableFinished;
      const level: Level = !finished ? 'warn' : res.statusCode >= 500 ? 'error' : 'info';
      if (!logger.isLevelEnabled(level)) return;
      logger[level](
        {
          req: { id: (req as RequestWithId).id, method: req.method, url: req.originalUrl, remoteAddress: req.socket.remoteAddress },
          res: { statusCode: res.statusCode },
          responseTime: Math.round(performance.now() - started),
        },
        finished ? 'request completed' : 'request aborted',
      );
    });
    next();
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
