import { BadRequestException } from '@nestjs/common';
import type { FastifyInstance, FastifyRequest } from 'fastify';

/** `{` or `[` after optional JSON whitespace: what Express's `json({ strict: true })` accepted. */
const OBJECT_OR_ARRAY = /^[\x20\x09\x0a\x0d]*[{[]/;

/**
 * The only body parser: JSON objects and arrays up to `limit` bytes, parsed with JSON.parse as
 * Express's body parser did (strict; an empty body is `{}`). Fastify's own JSON parser differs:
 * it accepts a bare string or number and refuses an empty body. Other content types are answered
 * 415 by Fastify. A syntax error becomes a 400 that the error envelope names `malformed_json`
 * (without quoting the body); a body over the limit is Fastify's 413.
 */
export function useStrictJsonBody(fastify: FastifyInstance, limit: number): void {
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser(
    'application/json',
    { parseAs: 'string', bodyLimit: limit },
    (_request: FastifyRequest, body: string | Buffer, done: (error: Error | null, body?: unknown) => void) => {
      const text = typeof body === 'string' ? body : body.toString('utf8');
      if (text.length === 0) return done(null, {});
      if (!OBJECT_OR_ARRAY.test(text)) return done(new BadRequestException('request body is not a JSON object or array (position 0)'));
      try {
        done(null, JSON.parse(text));
      } catch (error) {
        done(new BadRequestException(error instanceof Error ? error.message : 'invalid JSON'));
      }
    },
  );
}
