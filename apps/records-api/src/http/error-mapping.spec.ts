import { BadRequestException, NotFoundException } from '@nestjs/common';
import { DomainError } from '@app/common';
import { mapKnownError } from './error-mapping';

describe('mapKnownError', () => {
  it('maps domain errors through their code', () => {
    expect(mapKnownError(new DomainError('precondition_failed', 'stale'))).toMatchObject({ statusCode: 412, error: 'precondition_failed' });
  });

  it('answers 503 (retry later) when the connection pool is exhausted or the database is down', () => {
    const poolTimeout = new Error('timeout exceeded when trying to connect');
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    expect(mapKnownError(poolTimeout)).toMatchObject({ statusCode: 503, error: 'database_unavailable' });
    expect(mapKnownError(refused)).toMatchObject({ statusCode: 503, error: 'database_unavailable' });
  });

  it('leaves other unexpected errors to the 500 path', () => {
    const permission = Object.assign(new Error('permission denied for table installations'), { code: '42501' });
    expect(mapKnownError(permission)).toBeNull();
    expect(mapKnownError(new TypeError('x is undefined'))).toBeNull();
  });

  it('keeps HTTP client errors and hides the body of malformed JSON', () => {
    expect(mapKnownError(new NotFoundException('Cannot GET /nope'))).toMatchObject({ statusCode: 404, error: 'not_found' });
    const malformed = mapKnownError(new BadRequestException('Unexpected token h in JSON at position 6'));
    expect(malformed).toMatchObject({ statusCode: 400, error: 'malformed_json' });
  });
});
