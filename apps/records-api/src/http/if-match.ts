import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { DomainError } from '@app/common';
import type { FastifyRequest } from 'fastify';

/**
 * The version a PATCH/DELETE was based on, from If-Match (`3` or `"3"` or `W/"3"`). Missing is a
 * 428 so that a client cannot overwrite a change it never saw.
 */
export const IfMatchVersion = createParamDecorator((_: unknown, context: ExecutionContext): number => {
  const raw = context.switchToHttp().getRequest<FastifyRequest>().headers['if-match'];
  if (raw === undefined) {
    throw new DomainError('precondition_required', 'If-Match with the installation version is required', [
      { path: 'header.If-Match', message: 'is required' },
    ]);
  }
  const match = /^(?:W\/)?"?(\d{1,9})"?$/.exec(String(raw).trim());
  if (!match) throw DomainError.validation([{ path: 'header.If-Match', message: 'must be the installation version, e.g. "3"' }]);
  return Number(match[1]);
});
