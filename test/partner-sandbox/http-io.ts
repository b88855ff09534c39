import type { IncomingMessage, ServerResponse } from 'node:http';

/** Partner requests are small forms; anything larger is refused rather than buffered. */
export const MAX_REQUEST_BODY_BYTES = 64 * 1024;

export class RequestBodyTooLargeError extends Error {
  override readonly name = 'RequestBodyTooLargeError';
}

export interface SandboxReply {
  status: number;
  json?: unknown;
  headers?: Record<string, string>;
}

export async function readBody(req: IncomingMessage, limit = MAX_REQUEST_BODY_BYTES): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new RequestBodyTooLargeError(`request body over ${limit} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Writes unless the client already went away (hang/latency faults outlive their sockets). */
export function send(res: ServerResponse, status: number, body: string, headers: Record<string, string>): void {
  if (res.destroyed || res.headersSent) return;
  res.writeHead(status, { 'content-length': String(Buffer.byteLength(body)), ...headers });
  res.end(body);
}

export function sendReply(res: ServerResponse, reply: SandboxReply): void {
  const body = reply.json === undefined ? '' : JSON.stringify(reply.json);
  const type: Record<string, string> = reply.json === undefined ? {} : { 'content-type': 'application/json; charset=utf-8' };
  send(res, reply.status, body, { ...type, ...reply.headers });
}

export function headerValue(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}
