import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { startAppProcess, type AppProcess } from './support/app-process';
import { expectEnvelope } from './support/http-assertions';
import { createPrivateDatabase, type PrivateDatabase } from './support/private-database';
import { parkwhizInstallation, tokenFor } from './support/test-app';

/**
 * Issue 2 item 8 / DESIGN §3: "A 500 carries an error id and never internals." Provoked for real:
 * the application role loses its privileges on a private database, so PostgreSQL refuses the query.
 */
describe('unexpected errors (500)', () => {
  let db: PrivateDatabase;
  let app: AppProcess;
  const viewer = tokenFor(['viewer'], 'viewer-500');
  const engineer = tokenFor(['engineer'], 'eng-500');

  beforeAll(async () => {
    db = await createPrivateDatabase();
    app = await startAppProcess({ DATABASE_URL: db.appUrl, MIGRATION_DATABASE_URL: db.migrationUrl, LOG_LEVEL: 'info' });
    await db.asOwner('REVOKE SELECT, INSERT, UPDATE ON installations FROM installation_records_app');
  }, 120_000);
  afterAll(async () => {
    await app?.stop();
    await db?.drop();
  });

  it('answers with the envelope, an error id and no internals; the log line has the cause, the error id and the request id', async () => {
    const requestId = `internal-${randomUUID()}`;
    const res = await request(app.baseUrl).get('/v1/installations').set('Authorization', `Bearer ${viewer}`).set('X-Request-Id', requestId);
    expectEnvelope(res, 500, { error: 'internal_error', requestId });
    expect(res.body.errorId).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.body.message).toContain(res.body.errorId);
    expect(res.body.details).toEqual([]);
    expect(res.text).not.toMatch(/permission|denied|installations|QueryFailed|SELECT|postgres|stack|\.ts:/i);
    await new Promise((r) => setTimeout(r, 300));
    const line = app
      .output()
      .split('\n')
      .find((l) => l.includes(res.body.errorId));
    if (!line) throw new Error(`no log line carries error id ${res.body.errorId}:\n${app.output().slice(-3000)}`);
    const entry = JSON.parse(line) as Record<string, unknown>;
    expect(JSON.stringify(entry)).toContain(requestId);
    expect(line).toMatch(/permission denied/);
  });

  it('a failed write leaves nothing behind and never echoes the submitted secret', async () => {
    const secret = `internal-secret-${randomUUID()}`;
    const requestId = `internal-write-${randomUUID()}`;
    const res = await request(app.baseUrl)
      .post('/v1/installations')
      .set('Authorization', `Bearer ${engineer}`)
      .set('X-Request-Id', requestId)
      .send(parkwhizInstallation({ credentials: { clientSecret: secret } }));
    expectEnvelope(res, 500, { error: 'internal_error', requestId });
    expect(res.text).not.toContain(secret);
    const rows = await db.asOwner<{ n: number }>(
      `SELECT (SELECT count(*)::int FROM audit_events WHERE request_id = $1 AND outcome = 'success') + (SELECT count(*)::int FROM outbox_events WHERE payload->'actor'->>'requestId' = $1) + (SELECT count(*)::int FROM credential_versions) AS n`,
      [requestId],
    );
    expect(rows[0].n).toBe(0);
    await new Promise((r) => setTimeout(r, 300));
    expect(app.output()).not.toContain(secret);
  });
});
