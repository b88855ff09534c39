import { parkwhizInstallation, startTestApp, tokenFor, type TestApp } from './support/test-app';

describe('installations (smoke)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => t.close());

  it('creates, reads and lists an installation with masked credentials', async () => {
    const engineer = tokenFor(['engineer']);
    const created = await t.http().post('/v1/installations').set('Authorization', `Bearer ${engineer}`)
      .send(parkwhizInstallation({ credentials: { clientSecret: 'pw-secret-canary-0001' } }));
    expect(created.status).toBe(201);
    expect(created.body.status).toBe('pending_verification');
    expect(created.body.pendingCredential.fields.clientSecret.last4).toBe('0001');
    expect(JSON.stringify(created.body)).not.toContain('pw-secret-canary-0001');
    const read = await t.http().get(`/v1/installations/${created.body.id}`).set('Authorization', `Bearer ${tokenFor(['viewer'])}`);
    expect(read.status).toBe(200);
    expect(read.body.externalKey).toBe(created.body.externalKey);
  });
});
