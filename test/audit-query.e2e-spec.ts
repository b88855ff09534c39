import { randomUUID } from 'node:crypto';
import { parkwhizInstallation, startTestApp, tokenFor, type TestApp } from './support/test-app';

/** GET /v1/audit and its streamed export (issue 4 §6), including bad input. */
describe('audit trail query and export', () => {
  let t: TestApp;
  const auditorSub = `auditor-${randomUUID().slice(0, 8)}`;
  const auditor = tokenFor(['auditor'], auditorSub);
  const engineerSub = `eng-${randomUUID().slice(0, 8)}`;
  const engineer = tokenFor(['engineer'], engineerSub);
  const formulaReason = '=HYPERLINK("http://evil.example","click")';
  const ids: string[] = [];

  beforeAll(async () => {
    t = await startTestApp();
    for (let i = 0; i < 3; i += 1) {
      const res = await t.http().post('/v1/installations').set('Authorization', `Bearer ${engineer}`).send(parkwhizInstallation());
      expect(res.status).toBe(201);
      ids.push(res.body.id);
    }
    const patched = await t
      .http()
      .patch(`/v1/installations/${ids[0]}`)
      .set('Authorization', `Bearer ${engineer}`)
      .set('If-Match', '"1"')
      .set('X-Change-Reason', formulaReason)
      .send({ ownerTeam: '+team, "quoted"' });
    expect(patched.status).toBe(200);
  });
  afterAll(async () => t.close());

  const get = (query: Record<string, string | number>, token = auditor) =>
    t.http().get('/v1/audit').query(query).set('Authorization', `Bearer ${token}`);

  it('filters by actor and action, newest first, with cursor pagination', async () => {
    const first = await get({ actorId: engineerSub, action: 'installation.created', limit: 2 });
    expect(first.status).toBe(200);
    expect(first.body.items).toHaveLength(2);
    expect(first.body.items.map((i: { targetId: string }) => i.targetId)).toEqual([ids[2], ids[1]]);
    expect(first.body.items[0]).toMatchObject({
      actor: { id: engineerSub, type: 'user' },
      action: 'installation.created',
      outcome: 'success',
    });
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const second = await get({ actorId: engineerSub, action: 'installation.created', limit: 2, cursor: first.body.nextCursor });
    expect(second.body.items.map((i: { targetId: string }) => i.targetId)).toEqual([ids[0]]);
    expect(second.body.nextCursor).toBeNull();
  });

  it('filters by target, outcome and time range', async () => {
    const res = await get({
      targetType: 'installation',
      targetId: ids[0],
      outcome: 'success',
      from: '2020-01-01T00:00:00Z',
      to: '2999-01-01T00:00:00Z',
    });
    expect(res.status).toBe(200);
    expect(res.body.items.map((i: { action: string }) => i.action)).toEqual(['installation.updated', 'installation.created']);
    const none = await get({ targetId: ids[0], to: '2020-01-01T00:00:00Z' });
    expect(none.body.items).toEqual([]);
  });

  it('records the read itself as audit.read', async () => {
    const requestId = `audit-read-${randomUUID()}`;
    await get({ actorId: engineerSub }).set('X-Request-Id', requestId);
    const rows = await t.dataSource.query('SELECT action, actor_id, metadata FROM audit_events WHERE request_id = $1', [requestId]);
    expect(rows).toEqual([
      { action: 'audit.read', actor_id: auditorSub, metadata: expect.objectContaining({ filters: { actorId: engineerSub } }) },
    ]);
  });

  it.each([
    ['an unknown action', { action: 'installation.hacked' }, 'action'],
    ['a malformed date', { from: '2026-13-45' }, 'from'],
    ['a date that is not ISO', { to: 'yesterday' }, 'to'],
    ['a reversed range', { from: '2026-02-01T00:00:00Z', to: '2026-01-01T00:00:00Z' }, 'query.from'],
    ['a page size past the maximum', { limit: 201 }, 'limit'],
    ['a zero page size', { limit: 0 }, 'limit'],
    ['an unknown outcome', { outcome: 'maybe' }, 'outcome'],
    ['a forged cursor', { cursor: 'bm90LWEtY3Vyc29y' }, 'query.cursor'],
    ['an unknown filter', { actor: 'x' }, 'actor'],
  ])('answers %s with 400 naming the parameter', async (_name, query, path) => {
    const res = await get(query);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ statusCode: 400, requestId: expect.any(String) });
    expect(res.body.details).toEqual(expect.arrayContaining([expect.objectContaining({ path })]));
  });

  it.each([['viewer'], ['engineer']])('refuses a %s (auditor and admin only)', async (role) => {
    expect((await get({}, tokenFor([role]))).status).toBe(403);
    expect(
      (
        await t
          .http()
          .get('/v1/audit/export')
          .set('Authorization', `Bearer ${tokenFor([role])}`)
      ).status,
    ).toBe(403);
  });

  it('lets an admin read the trail', async () => {
    expect((await get({ limit: 1 }, tokenFor(['admin']))).status).toBe(200);
  });

  it('exports NDJSON in seq order with the chain fields, and records the export', async () => {
    const requestId = `export-${randomUUID()}`;
    const res = await t
      .http()
      .get('/v1/audit/export')
      .query({ format: 'ndjson', actorId: engineerSub })
      .set('Authorization', `Bearer ${auditor}`)
      .set('X-Request-Id', requestId)
      .buffer(true)
      .parse((r, done) => {
        let text = '';
        r.setEncoding('utf8');
        r.on('data', (chunk: string) => (text += chunk));
        r.on('end', () => done(null, text));
      });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toContain('application/x-ndjson');
    // The streamed answer is written past the framework; it still carries the request id.
    expect(res.headers['x-request-id']).toBe(requestId);
    const lines = (res.body as string)
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { seq: string; action: string; hash: string; prevHash: string });
    expect(lines.map((l) => l.action)).toEqual([
      'installation.created',
      'installation.created',
      'installation.created',
      'installation.updated',
    ]);
    const seqs = lines.map((l) => BigInt(l.seq));
    expect([...seqs].sort((a, b) => (a < b ? -1 : 1))).toEqual(seqs);
    expect(lines[0].hash).toMatch(/^[0-9a-f]{64}$/);
    const rows = await t.dataSource.query('SELECT action, metadata FROM audit_events WHERE request_id = $1', [requestId]);
    expect(rows).toEqual([{ action: 'audit.exported', metadata: expect.objectContaining({ format: 'ndjson' }) }]);
  });

  it('exports CSV with formula cells defused and quoting intact', async () => {
    const res = await t
      .http()
      .get('/v1/audit/export')
      .query({ format: 'csv', actorId: engineerSub, action: 'installation.updated' })
      .set('Authorization', `Bearer ${auditor}`)
      .buffer(true)
      .parse((r, done) => {
        let text = '';
        r.setEncoding('utf8');
        r.on('data', (chunk: string) => (text += chunk));
        r.on('end', () => done(null, text));
      });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toContain('text/csv');
    const [header, row, trailing] = (res.body as string).split('\r\n');
    expect(header.startsWith('seq,chain,occurredAt,actorType,actorId')).toBe(true);
    expect(trailing).toBe('');
    expect(row).toContain(`"'=HYPERLINK(""http://evil.example"",""click"")"`);
    expect(row).not.toMatch(/(^|,)=/);
  });

  it('refuses an unknown export format', async () => {
    const res = await t.http().get('/v1/audit/export').query({ format: 'xlsx' }).set('Authorization', `Bearer ${auditor}`);
    expect(res.status).toBe(400);
  });
});
