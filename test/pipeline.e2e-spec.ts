import { parkwhizInstallation, spotheroInstallation, tokenFor } from './support/test-app';
import { startPipeline, waitFor, type Pipeline } from './support/pipeline';

/** Issue 3 item 9: submit → authenticated → active, and rejected credentials. */
describe('verification pipeline', () => {
  let p: Pipeline;
  const engineer = tokenFor(['engineer'], 'eng-pipeline');
  const viewer = tokenFor(['viewer'], 'viewer-pipeline');

  beforeAll(async () => {
    p = await startPipeline({
      parkwhizClients: [
        { clientId: 'pw-good', clientSecret: 'pw-good-secret-0001' },
        { clientId: 'pw-narrow', clientSecret: 'pw-narrow-secret-01', grantedScope: 'public' },
      ],
      locationIds: ['4412'],
    });
  }, 30_000);
  afterAll(async () => p?.close());

  const auth = (token: string) => ['Authorization', `Bearer ${token}`] as const;

  async function createInstallation(clientId: string, clientSecret: string, config: Record<string, unknown> = {}): Promise<string> {
    const body = parkwhizInstallation({
      config: { clientId, scope: 'partner', locationIds: ['4412'], ...config },
      endpoints: { baseUrl: `${p.sandbox.url}/v4` },
      credentials: { clientSecret },
    });
    const res = await p.api
      .http()
      .post('/v1/installations')
      .set(...auth(engineer))
      .send(body);
    expect(res.status).toBe(201);
    return res.body.id as string;
  }

  const installation = async (id: string) =>
    (
      await p.api
        .http()
        .get(`/v1/installations/${id}`)
        .set(...auth(viewer))
    ).body;
  const receipts = async (id: string) =>
    (
      await p.api
        .http()
        .get(`/v1/installations/${id}/verifications`)
        .set(...auth(viewer))
    ).body.items;

  it('create with a working credential → authenticated → active, credential active, one success receipt', async () => {
    const id = await createInstallation('pw-good', 'pw-good-secret-0001');
    await waitFor(async () => (await installation(id)).status === 'active', 15_000, 'active');
    const view = await installation(id);
    expect(view.milestones.authenticatedAt).toBeTruthy();
    expect(view.milestones.initialSyncCompletedAt).toBeTruthy();
    const items = await receipts(id);
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({
      state: 'completed',
      outcome: 'success',
      failureClass: null,
      trigger: 'submitted',
      probeMethod: 'POST',
      probePath: '/v4/oauth/token',
      httpStatus: 200,
    });
    expect(items[0].workerId).toBeTruthy();
    const [credential] = await p.api.dataSource.query(`SELECT state, verified_at FROM credential_versions WHERE installation_id = $1`, [
      id,
    ]);
    expect(credential.state).toBe('active');
    expect(credential.verified_at).not.toBeNull();
    const audit = await p.api.dataSource.query(`SELECT action, actor_type, metadata FROM audit_events WHERE target_id = $1 ORDER BY seq`, [
      id,
    ]);
    expect(audit.filter((a: { action: string }) => a.action === 'verification.completed')).toHaveLength(1);
    expect(audit.find((a: { action: string }) => a.action === 'verification.completed').actor_type).toBe('service');
  });

  it('a wrong secret → auth_failed with an invalid_credentials receipt', async () => {
    const id = await createInstallation('pw-good', 'definitely-wrong-secret');
    await waitFor(async () => (await installation(id)).status === 'auth_failed', 15_000, 'auth_failed');
    const items = await receipts(id);
    expect(items[0]).toMatchObject({ outcome: 'failure', failureClass: 'invalid_credentials', httpStatus: 401 });
    expect(JSON.stringify(items)).not.toContain('definitely-wrong-secret');
  });

  it('a narrower granted scope → forbidden → auth_failed', async () => {
    const id = await createInstallation('pw-narrow', 'pw-narrow-secret-01');
    await waitFor(async () => (await installation(id)).status === 'auth_failed', 15_000, 'auth_failed');
    expect((await receipts(id))[0]).toMatchObject({ failureClass: 'forbidden' });
  });

  it('POST /verifications queues a manual check (202) and 409s without a credential', async () => {
    const id = await createInstallation('pw-good', 'pw-good-secret-0001');
    await waitFor(async () => (await installation(id)).status === 'active', 15_000, 'active');
    const res = await p.api
      .http()
      .post(`/v1/installations/${id}/verifications`)
      .set(...auth(engineer));
    expect(res.status).toBe(202);
    await waitFor(
      async () => (await receipts(id)).find((r: { id: string; state: string }) => r.id === res.body.receiptId && r.state === 'completed'),
      15_000,
      'manual receipt',
    );
    expect((await receipts(id))[0]).toMatchObject({ trigger: 'manual', outcome: 'success' });
    expect((await installation(id)).status).toBe('active');

    const bare = await p.api
      .http()
      .post('/v1/installations')
      .set(...auth(engineer))
      .send(parkwhizInstallation());
    const none = await p.api
      .http()
      .post(`/v1/installations/${bare.body.id}/verifications`)
      .set(...auth(engineer));
    expect(none.status).toBe(409);
    const asViewer = await p.api
      .http()
      .post(`/v1/installations/${id}/verifications`)
      .set(...auth(viewer));
    expect(asViewer.status).toBe(403);
  });

  it('SpotHero with an unconfirmed probe → an `unsupported` receipt, no partner call, status unchanged', async () => {
    const before = p.sandbox.server.callCount();
    const res = await p.api
      .http()
      .post('/v1/installations')
      .set(...auth(engineer))
      .send(spotheroInstallation({ credentials: { partnerKey: 'sh-partner-key-0001' } }));
    expect(res.status).toBe(201);
    const receipt = await waitFor(
      async () => (await receipts(res.body.id)).find((r: { state: string }) => r.state === 'completed'),
      15_000,
      'receipt',
    );
    expect(receipt).toMatchObject({ outcome: 'failure', failureClass: 'unsupported' });
    expect(p.sandbox.server.callCount()).toBe(before);
    expect((await installation(res.body.id)).status).toBe('pending_verification');
  });
});
