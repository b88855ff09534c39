import type { IncomingMessage } from 'node:http';
import type { Options } from 'pino-http';

/**
 * Structured JSON logs, one line per request with its request id. Headers that carry secrets are
 * redacted, and bodies are never logged (they may hold credentials).
 */
export function pinoHttpOptions(level: string): Options {
  return {
    level,
    genReqId: (req: IncomingMessage) => (req as IncomingMessage & { id?: string }).id ?? 'unknown',
    redact: { paths: ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]'], censor: '[redacted]' },
    customProps: () => ({ service: 'records-api' }),
    serializers: {
      req: (req: { id: string; method: string; url: string; remoteAddress?: string }) => ({
        id: req.id,
        method: req.method,
        url: req.url,
        remoteAddress: req.remoteAddress,
      }),
    },
  };
}
