import { ArgumentsHost, Catch, ExceptionFilter, Logger } from '@nestjs/common';
import type { Response } from 'express';
import { randomUUID } from 'node:crypto';
import { mapKnownError } from './error-mapping';
import { isRequestLogged } from './logging';
import type { RequestWithId } from './request-id.middleware';

/**
 * The catch-all: every error leaves as the one envelope. A 500 gets an error id that points into
 * the logs and says nothing of internals.
 */
@Catch()
export class ErrorEnvelopeFilter implements ExceptionFilter {
  private readonly logger = new Logger('ErrorEnvelope');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const req = http.getRequest<RequestWithId>();
    const res = http.getResponse<Response>();
    const requestId = req.id ?? randomUUID();
    const known = mapKnownError(exception);
    if (known) {
      // Body-parser refusals (malformed, oversize) happen before the request logger runs: log them here.
      if (!isRequestLogged(req)) {
        this.logger.log(
          { req: { id: requestId, method: req.method, url: req.originalUrl }, statusCode: known.statusCode, error: known.error },
          'request refused',
        );
      }
      if (known.statusCode === 503) res.setHeader('Retry-After', '2');
      if (known.statusCode === 401 || known.statusCode === 403) res.setHeader('Cache-Control', 'no-store');
      res.status(known.statusCode).json({ ...known, requestId });
      return;
    }
    const errorId = randomUUID();
    this.logger.error({ errorId, requestId, err: exception }, 'unhandled error');
    res.status(500).json({
      statusCode: 500,
      error: 'internal_error',
      message: `internal error; quote error id ${errorId}`,
      details: [],
      requestId,
      errorId,
    });
  }
}
