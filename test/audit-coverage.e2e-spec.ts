import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import type { Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { Client } from 'pg';
import { AccessEventBuffer } from '../apps/records-api/src/audit/access-event-buffer';
import { eventually } from './support/eventually';
import { parkwhizInstallation, startTestApp, tokenFor, type TestApp } from './support/test-app';

interface Row {
  seq: string;
  action: string;
  outcome: string;
  actor_id: string;
  target_type: string | null;
  target_id: string | null;
  reason: string | null;
  metadata: Record<string, unknown> | null;
}

/** Coverage (issue 4 §3, §4): refusals, failed reveals and reads all leave rows. */
describe('audit coverage: denied, failed and read', () => {
  let t: TestApp;
  const rowsOf = (requestId: string): Promise<Row[]> =>
    t.dataSource.query(
      'SELECT seq, action, outcome, actor_id, target_type, target_id, reason, metadata FROM audit_events WHERE request_id = $1 ORDER BY seq',
      [requestId],
    );
  const awaitRows = (requestId: string) => eventually(() => rowsOf(requestId));
  let installationId: string;
  const engineerSub = `eng-${randomUUID().slice(0, 8)}`;

  beforeAll(async () => {
    t = await startTestApp();
    const created = await t
      .http()
      .post('/v1/installations')
      .set('Authorization', `Bearer ${tokenFor(['engineer'], engineerSub)}`)
      .send(parkwhizInstallation({ credentials: { clientSecret: 'pw-coverage-canary-5521' } }));
    expect(created.status).toBe(201);
    installationId = created.body.id;
  });
  afterAll(async () => t.close());

  it('writes exactly one audit row for a settings change, in its request (A2)', async () => {
    const requestId = `patch-one-${randomUUID()}`;
    const current = await t
      .http()
      .get(`/v1/installations/${installationId}`)
      .set('Authorization', `Bearer ${tokenFor(['viewer'])}`);
    const res = await t
      .http()
      .patch(`/v1/installations/${installationId}`)
      .set('Authorization', `Bearer ${tokenFor(['engineer'], engineerSub)}`)
      .set('X-Request-Id', requestId)
      .set('If-Match', `"${current.body.version}"`)
      .send({ ownerTeam: `team-${requestId.slice(-6)}` });
    expect(res.status).toBe(200);
    await t.app.get(AccessEventBuffer).flush();
    expect(await rowsOf(requestId)).toEqual([
      expect.objectContaining({ action: 'installation.updated', outcome: 'success', actor_id: engineerSub, target_id: installationId }),
    ]);
  });

  it('records a 401 (no token) as denied, by an anonymous actor, with the route action and target', async () => {
    const requestId = `deny401-${randomUUID()}`;
    const res = await t.http().get(`/v1/installations/${installationId}`).set('X-Request-Id', requestId);
    expect(res.status).toBe(401);
    expect(await awaitRows(requestId)).toEqual([
      expect.objectContaining({
        action: 'installation.read',
        outcome: 'denied',
        actor_id: 'anonymous',
        target_type: 'installation',
        target_id: installationId,
      }),
    ]);
  });

  it('records a 403 (wrong role) as denied with the authenticated actor', async () => {
    const requestId = `deny403-${randomUUID()}`;
    const viewer = `viewer-${randomUUID().slice(0, 8)}`;
    const res = await t
      .http()
      .patch(`/v1/installations/${installationId}`)
      .set('Authorization', `Bearer ${tokenFor(['viewer'], viewer)}`)
      .set('X-Request-Id', requestId)
      .set('If-Match', '"1"')
      .send({ propertyName: 'nope' });
    expect(res.status).toBe(403);
    expect(await awaitRows(requestId)).toEqual([
      expect.objectContaining({ action: 'installation.updated', outcome: 'denied', actor_id: viewer }),
    ]);
  });

  it('records a 401 on a route that opts out of auditing as access.denied', async () => {
    const requestId = `deny-vendors-${randomUUID()}`;
    expect((await t.http().get('/v1/vendors').set('X-Request-Id', requestId)).status).toBe(401);
    expect(await awaitRows(requestId)).toEqual([expect.objectContaining({ action: 'access.denied', outcome: 'denied' })]);
  });

  it('records an engineer trying to reveal as a denied credential.revealed', async () => {
    const requestId = `deny-reveal-${randomUUID()}`;
    const res = await t
      .http()
      .post(`/v1/installations/${installationId}/credentials/reveal`)
      .set('Authorization', `Bearer ${tokenFor(['engineer'])}`)
      .set('X-Request-Id', requestId)
      .send({ reason: 'curious', version: 1 });
    expect(res.status).toBe(403);
    expect(await awaitRows(requestId)).toEqual([
      expect.objectContaining({ action: 'credential.revealed', outcome: 'denied', target_id: installationId }),
    ]);
  });

  it('answers a reveal without a reason with 400 and records the failed attempt', async () => {
    const requestId = `reveal-noreason-${randomUUID()}`;
    const admin = `admin-${randomUUID().slice(0, 8)}`;
    const res = await t
      .http()
      .post(`/v1/installations/${installationId}/credentials/reveal`)
      .set('Authorization', `Bearer ${tokenFor(['admin'], admin)}`)
      .set('X-Request-Id', requestId)
      .send({ version: 1 });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ statusCode: 400, requestId });
    expect(res.body.details).toEqual(expect.arrayContaining([expect.objectContaining({ path: 'reason' })]));
    expect(await awaitRows(requestId)).toEqual([
      expect.objectContaining({ action: 'credential.revealed', outcome: 'failure', actor_id: admin, target_id: installationId }),
    ]);
  });

  it('answers a reveal whose id is not even valid percent-encoding with 400 and records the failed attempt', async () => {
    const requestId = `reveal-badurl-${randomUUID()}`;
    const admin = `admin-${randomUUID().slice(0, 8)}`;
    const res = await t
      .http()
      .post('/v1/installations/%E0%A4%A/credentials/reveal')
      .set('Authorization', `Bearer ${tokenFor(['admin'], admin)}`)
      .set('X-Request-Id', requestId)
      .send({ reason: 'incident 4711' });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ statusCode: 400, requestId });
    expect(await awaitRows(requestId)).toEqual([
      expect.objectContaining({ action: 'credential.revealed', outcome: 'failure', target_type: 'installation', target_id: '%E0%A4%A' }),
    ]);
  });

  it('answers a reveal with a 1 MB reason with 4xx and records the failed attempt without the body', async () => {
    const requestId = `reveal-huge-${randomUUID()}`;
    const res = await t
      .http()
      .post(`/v1/installations/${installationId}/credentials/reveal`)
      .set('Authorization', `Bearer ${tokenFor(['admin'])}`)
      .set('X-Request-Id', requestId)
      .send({ reason: 'x'.repeat(1024 * 1024), version: 1 });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect(res.body).toMatchObject({ statusCode: res.status, requestId });
    const rows = await awaitRows(requestId);
    expect(rows).toEqual([
      expect.objectContaining({ action: 'credential.revealed', outcome: 'failure', target_id: installationId, reason: null }),
    ]);
    expect(JSON.stringify(rows[0]).length).toBeLessThan(2000);
  });

  it('answers a reveal with an over-long (but parseable) reason with 400 and records it', async () => {
    const requestId = `reveal-long-${randomUUID()}`;
    const res = await t
      .http()
      .post(`/v1/installations/${installationId}/credentials/reveal`)
      .set('Authorization', `Bearer ${tokenFor(['admin'])}`)
      .set('X-Request-Id', requestId)
      .send({ reason: 'y'.repeat(5000), version: 1 });
    expect(res.status).toBe(400);
    expect(await awaitRows(requestId)).toEqual([expect.objectContaining({ action: 'credential.revealed', outcome: 'failure' })]);
  });

  it('audits a successful reveal once, with the fingerprint and reason and never the value', async () => {
    const requestId = `reveal-ok-${randomUUID()}`;
    const res = await t
      .http()
      .post(`/v1/installations/${installationId}/credentials/reveal`)
      .set('Authorization', `Bearer ${tokenFor(['admin'])}`)
      .set('X-Request-Id', requestId)
      .send({ reason: 'INC-77: vendor portal re-entry', version: 1 });
    expect(res.status).toBe(200);
    expect(res.body.credentials.clientSecret).toBe('pw-coverage-canary-5521');
    const rows = await rowsOf(requestId);
    expect(rows).toEqual([
      expect.objectContaining({ action: 'credential.revealed', outcome: 'success', reason: 'INC-77: vendor portal re-entry' }),
    ]);
    expect(rows[0].metadata).toMatchObject({ fingerprint: res.body.fingerprint });
    expect(JSON.stringify(rows)).not.toContain('pw-coverage-canary-5521');
  });

  it('records a detail read as installation.read once the buffer flushes', async () => {
    const requestId = `read-${randomUUID()}`;
    const viewer = `viewer-${randomUUID().slice(0, 8)}`;
    const res = await t
      .http()
      .get(`/v1/installations/${installationId}`)
      .set('Authorization', `Bearer ${tokenFor(['viewer'], viewer)}`)
      .set('X-Request-Id', requestId);
    expect(res.status).toBe(200);
    await t.app.get(AccessEventBuffer).flush();
    expect(await rowsOf(requestId)).toEqual([
      expect.objectContaining({
        action: 'installation.read',
        outcome: 'success',
        actor_id: viewer,
        target_type: 'installation',
        target_id: installationId,
      }),
    ]);
  });

  it('records a read whose client hung up before the answer was written (the data left the service)', async () => {
    const requestId = `hangup-${randomUUID()}`;
    const server = t.app.getHttpServer() as Server;
    if (!server.listening) await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const socket = connect((server.address() as AddressInfo).port, '127.0.0.1');
    await once(socket, 'connect');
    const request = [
      `GET /v1/installations/${installationId} HTTP/1.1`,
      'Host: records.test',
      `Authorization: Bearer ${tokenFor(['viewer'])}`,
      `X-Request-Id: ${requestId}`,
      '',
      '',
    ].join('\r\n');
    await new Promise<void>((resolve, reject) => socket.write(request, (error) => (error ? reject(error) : resolve())));
    socket.resetAndDestroy(); // gone before the handler has read the installation
    const rows = await eventually(async () => {
      await t.app.get(AccessEventBuffer).flush();
      const found = await rowsOf(requestId);
      return found.length > 0 ? found : null;
    });
    expect(rows).toEqual([expect.objectContaining({ action: 'installation.read', outcome: 'success', target_id: installationId })]);
  });

  it('records a read however the path is spelled (HEAD, other case, trailing slash) as installation.read', async () => {
    const viewer = `viewer-${randomUUID().slice(0, 8)}`;
    const spellings: [string, string][] = [
      ['HEAD', `/v1/installations/${installationId}`],
      ['GET', `/v1/INSTALLATIONS/${installationId}`],
      ['GET', `/v1/installations/${installationId}/`],
    ];
    const requestIds: string[] = [];
    for (const [method, path] of spellings) {
      const requestId = `read-spelled-${randomUUID()}`;
      requestIds.push(requestId);
      const pending = method === 'HEAD' ? t.http().head(path) : t.http().get(path);
      const res = await pending.set('Authorization', `Bearer ${tokenFor(['viewer'], viewer)}`).set('X-Request-Id', requestId);
      expect(res.status).toBe(200);
    }
    await t.app.get(AccessEventBuffer).flush();
    for (const requestId of requestIds) {
      expect(await rowsOf(requestId)).toEqual([
        expect.objectContaining({ action: 'installation.read', outcome: 'success', actor_id: viewer, target_id: installationId }),
      ]);
    }
  });

  it('flushes a backlog too large for one INSERT (the database stalled while reads went on)', async () => {
    // 4,000 reads x 18 parameters is past PostgreSQL's 65,535 parameters for one statement.
    const buffer = t.app.get(AccessEventBuffer);
    const actorId = `backlog-${randomUUID().slice(0, 8)}`;
    for (let i = 0; i < 4000; i++) {
      buffer.record({
        actor: { type: 'user', id: actorId, requestId: `${actorId}-${i}`, sourceIp: null },
        entry: { action: 'installation.read', targetType: 'installation', targetId: installationId },
      });
    }
    await buffer.flush();
    expect(buffer.size).toBe(0);
    const [{ n }] = await t.dataSource.query('SELECT count(*)::int AS n FROM audit_events WHERE actor_id = $1', [actorId]);
    expect(n).toBe(4000);
  });

  it('loses no buffered read on a clean shutdown', async () => {
    // No interval flush during the test: only the shutdown can have written these rows.
    const savedInterval = process.env.AUDIT_ACCESS_FLUSH_MS;
    process.env.AUDIT_ACCESS_FLUSH_MS = '3600000';
    const other = await startTestApp();
    if (savedInterval === undefined) delete process.env.AUDIT_ACCESS_FLUSH_MS;
    else process.env.AUDIT_ACCESS_FLUSH_MS = savedInterval;
    const requestIds = Array.from({ length: 5 }, () => `shutdown-read-${randomUUID()}`);
    for (const requestId of requestIds) {
      const res = await other
        .http()
        .get(`/v1/installations/${installationId}`)
        .set('Authorization', `Bearer ${tokenFor(['viewer'])}`)
        .set('X-Request-Id', requestId);
      expect(res.status).toBe(200);
    }
    expect(other.app.get(AccessEventBuffer).size).toBe(5);
    await other.close();
    const client = new Client({ connectionString: process.env.MIGRATION_DATABASE_URL });
    await client.connect();
    try {
      const { rows } = await client.query(
        `SELECT request_id FROM audit_events WHERE action = 'installation.read' AND request_id = ANY($1)`,
        [requestIds],
      );
      expect(rows.map((r: { request_id: string }) => r.request_id).sort()).toEqual([...requestIds].sort());
    } finally {
      await client.end();
    }
  });
});
