import { randomUUID } from 'node:crypto';
import { parkwhizInstallation, startTestApp, tokenFor, type TestApp } from './support/test-app';

interface ChangeEntry {
  seq: string;
  action: string;
  occurredAt: string;
  actor: { type: string; id: string };
  reason: string | null;
  requestId: string | null;
  changes: Array<{ field: string; before: unknown; after: unknown }>;
}

/** GET /v1/installations/{id}/changes and the production change-reason rule (issue 4 §5). */
describe('installation change log', () => {
  let t: TestApp;
  const engineerSub = `eng-${randomUUID().slice(0, 8)}`;
  const engineer = tokenFor(['engineer'], engineerSub);
  const viewer = tokenFor(['viewer']);
  const changesOf = (id: string, query: Record<string, string | number> = {}) =>
    t.http().get(`/v1/installations/${id}/changes`).query(query).set('Authorization', `Bearer ${viewer}`);
  const create = async (overrides: Record<string, unknown> = {}): Promise<{ id: string; version: number }> => {
    const res = await t.http().post('/v1/installations').set('Authorization', `Bearer ${engineer}`).send(parkwhizInstallation(overrides));
    expect(res.status).toBe(201);
    return { id: res.body.id, version: res.body.version };
  };

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => t.close());

  it('lists field-level before/after, newest first, with actor, reason and request id, page by page', async () => {
    const { id } = await create();
    const first = await t
      .http()
      .patch(`/v1/installations/${id}`)
      .set('Authorization', `Bearer ${engineer}`)
      .set('If-Match', '"1"')
      .set('X-Request-Id', 'req-change-one')
      .set('X-Change-Reason', 'CHG-1 rename')
      .send({ propertyName: 'Garage 12 North', versions: { pms: '7.5.0' } });
    expect(first.status).toBe(200);
    const second = await t
      .http()
      .patch(`/v1/installations/${id}`)
      .set('Authorization', `Bearer ${engineer}`)
      .set('If-Match', `"${first.body.version}"`)
      .set('X-Request-Id', 'req-change-two')
      .send({ ownerTeam: 'platform' });
    expect(second.status).toBe(200);

    const page1 = await changesOf(id, { limit: 2 });
    expect(page1.status).toBe(200);
    const [latest, renamed] = page1.body.items as ChangeEntry[];
    expect(latest).toMatchObject({
      action: 'installation.updated',
      requestId: 'req-change-two',
      reason: null,
      actor: { id: engineerSub, type: 'user' },
      changes: [{ field: 'ownerTeam', before: 'parking-integrations', after: 'platform' }],
    });
    expect(renamed).toMatchObject({ action: 'installation.updated', requestId: 'req-change-one', reason: 'CHG-1 rename' });
    expect(renamed.changes).toEqual(
      expect.arrayContaining([
        { field: 'propertyName', before: 'Garage 12 — 5th & Main', after: 'Garage 12 North' },
        { field: 'versions.pms', before: '7.4.2', after: '7.5.0' },
      ]),
    );
    expect(Date.parse(latest.occurredAt)).not.toBeNaN();
    const page2 = await changesOf(id, { limit: 2, cursor: page1.body.nextCursor });
    expect(page2.body.items.map((e: ChangeEntry) => e.action)).toEqual(['installation.created']);
    expect(page2.body.nextCursor).toBeNull();
  });

  it('shows secrets only as fingerprints', async () => {
    const { id } = await create({ credentials: { clientSecret: 'pw-changes-canary-9090' } });
    const res = await changesOf(id);
    expect(JSON.stringify(res.body)).not.toContain('pw-changes-canary-9090');
    const submitted = (res.body.items as ChangeEntry[]).find((e) => e.action === 'credential.submitted');
    expect(submitted?.changes[0]).toMatchObject({ field: 'credentials', before: null, after: expect.any(String) });
  });

  it('answers 404 for an unknown installation and 400 for a bad cursor or page size', async () => {
    expect((await changesOf(randomUUID())).status).toBe(404);
    expect((await changesOf('not-a-uuid')).status).toBe(400);
    const { id } = await create();
    expect((await changesOf(id, { cursor: 'Zm9v' })).status).toBe(400);
    expect((await changesOf(id, { limit: 201 })).status).toBe(400);
  });

  describe('production installations require a reason', () => {
    let id: string;
    beforeAll(async () => {
      ({ id } = await create({ environment: 'production' }));
    });
    const current = async () =>
      (await t.http().get(`/v1/installations/${id}`).set('Authorization', `Bearer ${viewer}`)).body as {
        version: number;
        propertyName: string;
        status: string;
      };

    it('refuses a PATCH without a reason with 400 and changes nothing', async () => {
      const before = await current();
      const res = await t
        .http()
        .patch(`/v1/installations/${id}`)
        .set('Authorization', `Bearer ${engineer}`)
        .set('If-Match', `"${before.version}"`)
        .send({ propertyName: 'No reason' });
      expect(res.status).toBe(400);
      expect(res.body.details).toEqual(expect.arrayContaining([expect.objectContaining({ path: 'header.X-Change-Reason' })]));
      expect(await current()).toMatchObject({ version: before.version, propertyName: before.propertyName });
    });

    it('accepts a PATCH with X-Change-Reason and logs the reason', async () => {
      const before = await current();
      const res = await t
        .http()
        .patch(`/v1/installations/${id}`)
        .set('Authorization', `Bearer ${engineer}`)
        .set('If-Match', `"${before.version}"`)
        .set('X-Change-Reason', 'CHG-900 approved rename')
        .send({ propertyName: 'With reason' });
      expect(res.status).toBe(200);
      const log = await changesOf(id, { limit: 1 });
      expect(log.body.items[0]).toMatchObject({
        reason: 'CHG-900 approved rename',
        changes: [expect.objectContaining({ field: 'propertyName', after: 'With reason' })],
      });
    });

    it('refuses credentials without a reason and accepts them with a body reason', async () => {
      const refused = await t
        .http()
        .put(`/v1/installations/${id}/credentials`)
        .set('Authorization', `Bearer ${engineer}`)
        .send({ credentials: { clientSecret: 'pw-prod-0001' } });
      expect(refused.status).toBe(400);
      const accepted = await t
        .http()
        .put(`/v1/installations/${id}/credentials`)
        .set('Authorization', `Bearer ${engineer}`)
        .send({ credentials: { clientSecret: 'pw-prod-0001' }, reason: 'CHG-901 key rotation' });
      expect(accepted.status).toBe(202);
      const log = await changesOf(id, { limit: 5 });
      expect((log.body.items as ChangeEntry[]).find((e) => e.action === 'credential.submitted')).toMatchObject({
        reason: 'CHG-901 key rotation',
      });
    });

    it('refuses a DELETE without a reason and accepts one with it', async () => {
      const before = await current();
      const refused = await t
        .http()
        .delete(`/v1/installations/${id}`)
        .set('Authorization', `Bearer ${engineer}`)
        .set('If-Match', `"${before.version}"`);
      expect(refused.status).toBe(400);
      expect((await current()).status).not.toBe('decommissioned');
      const accepted = await t
        .http()
        .delete(`/v1/installations/${id}`)
        .set('Authorization', `Bearer ${engineer}`)
        .set('If-Match', `"${before.version}"`)
        .set('X-Change-Reason', 'CHG-902 property sold');
      expect(accepted.status).toBe(200);
      const log = await changesOf(id, { limit: 1 });
      expect(log.body.items[0]).toMatchObject({ action: 'installation.decommissioned', reason: 'CHG-902 property sold' });
    });
  });
});
