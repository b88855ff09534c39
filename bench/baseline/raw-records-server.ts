/**
 * The raw baseline for `npm run bench`: node:http + a pg Pool, no framework, no ORM, no auth, no
 * logging. It runs the same SQL the records API runs (installations/installation-reads.ts) and answers with the same JSON (the API's own `toInstallationView`), so the
 * gap between the two is what NestJS, Fastify, passport, validation, logging, the access audit and TypeORM cost.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { Pool } from 'pg';
import type { CredentialVersion } from '@app/common';
import { encodeCursor } from '../../apps/records-api/src/installations/installation-cursor';
import { toInstallationView } from '../../apps/records-api/src/installations/installation.mapper';
import {
  credentialSummaryFromRow,
  installationFromRow,
  listInstallationsSql,
  SELECT_INSTALLATION_BY_ID,
  SELECT_LIVE_CREDENTIALS,
} from '../../apps/records-api/src/installations/installation-reads';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

type Row = Record<string, unknown>;

// Same size as the API's TypeORM pool (data-source-options.ts poolSize default).
const pool = new Pool({ connectionString: process.env.DATABASE_URL, max: 10, application_name: 'records-bench-baseline' });

async function credentialsOf(ids: string[]): Promise<CredentialVersion[]> {
  const { rows } = await pool.query<Row>(SELECT_LIVE_CREDENTIALS, [ids]);
  return rows.map(credentialSummaryFromRow);
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const json = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(json), ...headers });
  res.end(json);
}

async function getOne(res: ServerResponse, id: string): Promise<void> {
  if (!UUID.test(id)) return send(res, 400, { error: { code: 'validation_failed' } });
  const { rows } = await pool.query<Row>(SELECT_INSTALLATION_BY_ID, [id]);
  if (rows.length === 0) return send(res, 404, { error: { code: 'not_found' } });
  const view = toInstallationView(installationFromRow(rows[0]), await credentialsOf([id]));
  send(res, 200, view, { ETag: `"${view.version}"` });
}

async function list(res: ServerResponse, params: URLSearchParams): Promise<void> {
  const limit = Math.min(100, Math.max(1, Number(params.get('limit') ?? 25) || 25));
  const cursor = params.get('cursor');
  const [cursorTs, cursorId] = cursor ? Buffer.from(cursor, 'base64url').toString('utf8').split('|') : [];
  const { sql, params: values } = listInstallationsSql({ limit, cursor: cursor ? { createdAt: cursorTs, id: cursorId } : undefined });
  const { rows } = await pool.query<Row>(sql, values);
  const page = rows.slice(0, limit);
  const credentials = page.length ? await credentialsOf(page.map((r) => r.id as string)) : [];
  const items = page.map((r) =>
    toInstallationView(
      installationFromRow(r),
      credentials.filter((c) => c.installationId === r.id),
    ),
  );
  const last = page[page.length - 1];
  const nextCursor = rows.length > limit && last ? encodeCursor({ createdAt: last.cursor_ts as string, id: last.id as string }) : null;
  send(res, 200, { items, nextCursor });
}

async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://baseline');
  if (url.pathname === '/health/live') return send(res, 200, { status: 'ok' });
  if (req.method === 'GET' && url.pathname === '/v1/installations') return list(res, url.searchParams);
  const match = /^\/v1\/installations\/([^/]+)$/.exec(url.pathname);
  if (req.method === 'GET' && match) return getOne(res, match[1]);
  send(res, 404, { error: { code: 'not_found' } });
}

const server = createServer((req, res) => {
  route(req, res).catch((error: unknown) => {
    process.stderr.write(`baseline: ${error instanceof Error ? error.message : String(error)}\n`);
    if (!res.headersSent) send(res, 500, { error: { code: 'internal' } });
  });
});
server.listen(Number(process.env.PORT ?? 3101));

const stop = (): void => {
  server.close();
  void pool.end().finally(() => process.exit(0));
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
