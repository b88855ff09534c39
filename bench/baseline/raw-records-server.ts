/**
 * The raw baseline for `npm run bench`: node:http + a pg Pool, no framework, no ORM, no auth, no
 * logging. It runs the same SQL the records API runs (installations.service.ts `get` and `list`,
 * as TypeORM emits it) and answers with the same JSON (the API's own `toInstallationView`), so the
 * gap between the two is what NestJS, Express, passport, validation, logging and TypeORM cost.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { Pool } from 'pg';
import type { CredentialVersion, Installation } from '@app/common';
import { encodeCursor } from '../../apps/records-api/src/installations/installation-cursor';
import { toInstallationView } from '../../apps/records-api/src/installations/installation.mapper';

const INSTALLATION_COLUMNS = `id, vendor, environment, property_id, property_name, external_key, config, endpoints, versions, owner_team,
  documentation, status, status_changed_at, authenticated_at, initial_sync_completed_at, auth_failed_at, degraded_at, decommissioned_at,
  last_verified_at, consecutive_transient_failures, installed_at, installed_by, created_by, version, created_at, updated_at`;
const CREDENTIAL_COLUMNS = `id, installation_id, version, state, key_id, secret_ciphertext, fingerprint, masked_fields, submitted_at,
  submitted_by, verified_at, rotation_due_at, superseded_at, revoked_at`;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const CURSOR_TS = `to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS cursor_ts`;

type Row = Record<string, unknown>;

// Same size as the API's TypeORM pool (data-source-options.ts poolSize default).
const pool = new Pool({ connectionString: process.env.DATABASE_URL, max: 10, application_name: 'records-bench-baseline' });

function toInstallation(r: Row): Installation {
  return {
    id: r.id,
    vendor: r.vendor,
    environment: r.environment,
    propertyId: r.property_id,
    propertyName: r.property_name,
    externalKey: r.external_key,
    config: r.config,
    endpoints: r.endpoints,
    versions: r.versions,
    ownerTeam: r.owner_team,
    documentation: r.documentation,
    status: r.status,
    statusChangedAt: r.status_changed_at,
    authenticatedAt: r.authenticated_at,
    initialSyncCompletedAt: r.initial_sync_completed_at,
    authFailedAt: r.auth_failed_at,
    degradedAt: r.degraded_at,
    decommissionedAt: r.decommissioned_at,
    lastVerifiedAt: r.last_verified_at,
    consecutiveTransientFailures: r.consecutive_transient_failures,
    installedAt: r.installed_at,
    installedBy: r.installed_by,
    createdBy: r.created_by,
    version: r.version,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  } as Installation;
}

function toCredential(r: Row): CredentialVersion {
  return {
    id: r.id,
    installationId: r.installation_id,
    version: r.version,
    state: r.state,
    keyId: r.key_id,
    secretCiphertext: r.secret_ciphertext,
    fingerprint: r.fingerprint,
    maskedFields: r.masked_fields,
    submittedAt: r.submitted_at,
    submittedBy: r.submitted_by,
    verifiedAt: r.verified_at,
    rotationDueAt: r.rotation_due_at,
    supersededAt: r.superseded_at,
    revokedAt: r.revoked_at,
  } as CredentialVersion;
}

async function credentialsOf(ids: string[]): Promise<CredentialVersion[]> {
  const placeholders = ids.map((_, i) => `$${i + 1}`).join(', ');
  const { rows } = await pool.query<Row>(
    `SELECT ${CREDENTIAL_COLUMNS} FROM credential_versions WHERE installation_id IN (${placeholders}) AND state IN ($${ids.length + 1}, $${ids.length + 2})`,
    [...ids, 'active', 'pending'],
  );
  return rows.map(toCredential);
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const json = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(json), ...headers });
  res.end(json);
}

async function getOne(res: ServerResponse, id: string): Promise<void> {
  if (!UUID.test(id)) return send(res, 400, { error: { code: 'validation_failed' } });
  const { rows } = await pool.query<Row>(`SELECT ${INSTALLATION_COLUMNS} FROM installations WHERE id = $1 LIMIT 1`, [id]);
  if (rows.length === 0) return send(res, 404, { error: { code: 'not_found' } });
  const view = toInstallationView(toInstallation(rows[0]), await credentialsOf([id]));
  send(res, 200, view, { ETag: `"${view.version}"` });
}

async function list(res: ServerResponse, params: URLSearchParams): Promise<void> {
  const limit = Math.min(100, Math.max(1, Number(params.get('limit') ?? 25) || 25));
  const cursor = params.get('cursor');
  const [cursorTs, cursorId] = cursor ? Buffer.from(cursor, 'base64url').toString('utf8').split('|') : [];
  const where = cursor ? 'WHERE (created_at, id) < ($2::timestamptz, $3::uuid)' : '';
  const { rows } = await pool.query<Row>(
    `SELECT ${INSTALLATION_COLUMNS}, ${CURSOR_TS} FROM installations ${where} ORDER BY created_at DESC, id DESC LIMIT $1`,
    cursor ? [limit + 1, cursorTs, cursorId] : [limit + 1],
  );
  const page = rows.slice(0, limit);
  const credentials = page.length ? await credentialsOf(page.map((r) => r.id as string)) : [];
  const items = page.map((r) =>
    toInstallationView(
      toInstallation(r),
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
