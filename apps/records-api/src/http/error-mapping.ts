import { HttpException, HttpStatus } from '@nestjs/common';
import { DomainError, isDatabaseUnavailable, type DomainErrorCode, type ErrorDetail } from '@app/common';

export interface MappedError {
  statusCode: number;
  error: string;
  message: string;
  details: ErrorDetail[];
}

/** Every domain error code has exactly one HTTP status; the compiler checks the switch is exhaustive. */
export function statusOfDomainError(code: DomainErrorCode): number {
  switch (code) {
    case 'validation_failed':
      return HttpStatus.BAD_REQUEST;
    case 'unauthenticated':
      return HttpStatus.UNAUTHORIZED;
    case 'forbidden':
      return HttpStatus.FORBIDDEN;
    case 'not_found':
      return HttpStatus.NOT_FOUND;
    case 'conflict':
    case 'illegal_transition':
      return HttpStatus.CONFLICT;
    case 'precondition_failed':
      return HttpStatus.PRECONDITION_FAILED;
    case 'idempotency_key_reused':
      return HttpStatus.UNPROCESSABLE_ENTITY;
    case 'precondition_required':
      return HttpStatus.PRECONDITION_REQUIRED;
  }
}

const HTTP_ERROR_CODES: Record<number, string> = {
  400: 'bad_request',
  401: 'unauthenticated',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  406: 'not_acceptable',
  409: 'conflict',
  411: 'length_required',
  412: 'precondition_failed',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  422: 'unprocessable_entity',
  428: 'precondition_required',
  429: 'too_many_requests',
};

function httpExceptionMessage(exception: HttpException): string {
  const response = exception.getResponse();
  if (typeof response === 'string') return response;
  const message = (response as { message?: unknown }).message;
  if (Array.isArray(message)) return message.join('; ');
  return typeof message === 'string' ? message : exception.message;
}

/**
 * The parser's message quotes the body around the error (`Unexpected token 'h', "{"s": hunter2}" is
 * not valid JSON`), which may be a secret: keep only the position.
 */
function jsonSyntaxDetail(parserMessage: string): string {
  const position = /position (\d+)/.exec(parserMessage);
  if (position) return `is not valid JSON (at position ${position[1]})`;
  return /end of JSON input/i.test(parserMessage) ? 'is not valid JSON (unexpected end of input)' : 'is not valid JSON';
}

/** Maps anything thrown to the envelope's fields, or null when it is an unexpected (500) error. */
export function mapKnownError(exception: unknown): MappedError | null {
  if (exception instanceof DomainError) {
    return {
      statusCode: statusOfDomainError(exception.code),
      error: exception.code,
      message: exception.message,
      details: exception.details,
    };
  }
  if (exception instanceof HttpException) {
    const statusCode = exception.getStatus();
    if (statusCode === 503) return notReady(exception);
    if (statusCode >= 500) return null;
    if (statusCode === 413) {
      // Fastify's body limit (create-app.ts BODY_LIMIT_BYTES), before the body is parsed.
      const message = 'request body exceeds the size limit';
      return { statusCode, error: HTTP_ERROR_CODES[statusCode], message, details: [{ path: 'body', message }] };
    }
    const message = httpExceptionMessage(exception);
    if (statusCode === 400 && /JSON|Unexpected token|position/i.test(message)) {
      return {
        statusCode,
        error: 'malformed_json',
        message: 'request body is not valid JSON',
        details: [{ path: 'body', message: jsonSyntaxDetail(message) }],
      };
    }
    return { statusCode, error: HTTP_ERROR_CODES[statusCode] ?? 'client_error', message, details: [] };
  }
  // Pool exhausted or database down: the request may succeed later, so say so instead of a 500.
  if (isDatabaseUnavailable(exception)) {
    return {
      statusCode: 503,
      error: 'database_unavailable',
      message: 'the database is unavailable or saturated; retry later',
      details: [],
    };
  }
  return null;
}

/** Readiness failures (terminus) keep the envelope and name each failing dependency. */
function notReady(exception: HttpException): MappedError {
  const body = exception.getResponse() as { error?: Record<string, { status?: string; message?: string }> };
  const details = Object.entries(body.error ?? {}).map(([path, check]) => ({ path, message: check.message ?? check.status ?? 'down' }));
  return { statusCode: 503, error: 'service_unavailable', message: 'a dependency is unavailable', details };
}
