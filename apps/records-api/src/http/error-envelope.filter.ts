import { ArgumentsHost, Catch, ExceptionFilter, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { randomUUID } from 'node:crypto';
import { mapKnownError } from './error-mapping';

/**
 * The catch-all: every error leaves as the one envelope. A 500 gets an error id that points into
 * the logs and says nothing of internals.
 */
@Catch()
export class ErrorEnvelopeFilter implements ExceptionFilter {
  private readonly logger = new Logger('ErrorEnvelope');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const req = http.getRequest<FastifyRequest>();
    const res = http.getResponse<FastifyReply>();
    // Fastify gives every request an id (create-app.ts genReqId) before anything can fail.
    const requestId = req.id;
    const known = mapKnownError(exception);
    if (known) {
      if (known.statusCode === 503) res.header('Retry-After', '2');
      if (known.statusCode === 401 || known.statusCode === 403) res.header('Cache-Control', 'no-store');
      void res.status(known.statusCode).send({ ...known, requestId });
      return;
    }
    const errorId = randomUUID();
    this.logger.error({ errorId, requestId, err: exception }, 'unhandled error');
    void res.status(500).send({
      statusCode: 500,
      error: 'internal_error',
      message: `internal error; quote error id ${errorId}`,
      details: [],
      requestId,
      errorId,
    });
  }
}
