/**
 * Domain error codes, mapped to HTTP in exactly one place (records-api's exception filter).
 * Shared and worker code throws these, never HttpException.
 */
export const DOMAIN_ERROR_CODES = [
  'validation_failed',
  'not_found',
  'conflict',
  'precondition_failed',
  'precondition_required',
  'idempotency_key_reused',
  'illegal_transition',
  'unauthenticated',
  'forbidden',
] as const;
export type DomainErrorCode = (typeof DOMAIN_ERROR_CODES)[number];

/** Where and what: `{ path: 'config.scope', message: 'must be one of: partner, public' }`. */
export interface ErrorDetail {
  path: string;
  message: string;
}

export class DomainError extends Error {
  constructor(
    readonly code: DomainErrorCode,
    message: string,
    readonly details: ErrorDetail[] = [],
  ) {
    super(message);
    this.name = 'DomainError';
  }

  static validation(details: ErrorDetail[], message = 'request is invalid'): DomainError {
    return new DomainError('validation_failed', message, details);
  }

  static notFound(what: string, id: string): DomainError {
    return new DomainError('not_found', `${what} ${id} not found`);
  }
}
