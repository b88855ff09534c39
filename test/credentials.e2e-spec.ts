import { randomUUID } from 'node:crypto';
import { bearer, expectEnvelope, expectNothingWrittenBy, newRequestId, type JsonBody } from './support/http-assertions';
import { parkwhizInstallation, spotheroInstallation, startTestApp, tokenFor, type TestApp } from './support/test-app';

/** Issue 2 item 5: PUT /credentials (encrypted, masked, queued verification), rotation, listing, reveal. */
describe('credentials', () => {
  let t: TestApp;
  const engineer = tokenFor(['engineer'], 'eng-credentials');
  const admin = tokenFor(['admin'], 'admin-credentials');
  const viewer = tokenFor(['viewer'], 'viewer-credentials');

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => t.close());

  async function draft(body = parkwhizInstallation()): Promise<JsonBody> {
    const res = await t
      .http()
      .post('/v1/installations')
      .set(...bearer(engineer))
      .send(body);
    if (res.status !== 201) throw new Error(`create failed ${res.status}: ${JSON.stringify(res.body)}`);
    expect(res.body.status).toBe('draft');
    return res.body;
  }
  const put = (id: string, body: Record<string, unknown>, token = engineer) =>
    t
      .http()
      .put(`/v1/installations/${id}/credentials`)
      .set(...bearer(token))
      .send(body);
  const reveal = (id: string, body: Record<string, unknown>, token = admin) =>
    t
      .http()
      .post(`/v1/installations/${id}/credentials/reveal`)
      .set(...bearer(token))
      .send(body);
  const activate = (installationId: string, version: number) =>
    t.dataSource.query(`UPDATE credential_versions SET state = 'active', verified_at = now() WHERE installation_id = $1 AND version = $2`, [
      installationId,
      version,
    ]);

  it('PUT: 202 with receiptId and a masked summary; status draft → pending_verification; receipt, outbox and audit rows in the same request', async () => {
    const installation = await draft();
    const secret = `pw-secret-${randomUUID()}-WXYZ`;
    const requestId = newRequestId('put-cred');
    const res = await put(installation.id, { credentials: { clientSecret: secret } }).set('X-Request-Id', requestId);
    expect(res.status).toBe(202);
    expect(res.body.receiptId).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.body.credential).toEqual(
      expect.objectContaining({
        id: expect.any(String),
        version: 1,
        state: 'pending',
        fingerprint: expect.stringMatching(/\S{16,}/),
        fields: { clientSecret: { fingerprint: expect.any(String), last4: 'WXYZ' } },
        submittedBy: 'eng-credentials',
        verifiedAt: null,
        rotationDueAt: expect.any(String),
      }),
    );
    expect(JSON.stringify(res.body)).not.toContain(secret);
    // Rotation policy: due in 365 days.
    const dueInDays = (Date.parse(res.body.credential.rotationDueAt) - Date.now()) / 86_400_000;
    expect(dueInDays).toBeGreaterThan(364);
    expect(dueInDays).toBeLessThan(366);

    const read = await t
      .http()
      .get(`/v1/installations/${installation.id}`)
      .set(...bearer(viewer));
    expect(read.body.status).toBe('pending_verification');
    expect(read.body.pendingCredential.id).toBe(res.body.credential.id);
    expect(read.body.activeCredential).toBeNull();

    const receipts = await t.dataSource.query(
      'SELECT id, state, trigger, credential_version_id, requested_by FROM verification_receipts WHERE installation_id = $1',
      [installation.id],
    );
    expect(receipts).toEqual([
      {
        id: res.body.receiptId,
        state: 'queued',
        trigger: 'submitted',
        credential_version_id: res.body.credential.id,
        requested_by: 'eng-credentials',
      },
    ]);

    const outbox = await t.dataSource.query(
      `SELECT routing_key, payload FROM outbox_events WHERE payload->'actor'->>'requestId' = $1 ORDER BY routing_key`,
      [requestId],
    );
    expect(outbox.map((o: { routing_key: string }) => o.routing_key)).toEqual(['credential.submitted.v1', 'verification.requested.v1']);
    expect(outbox[1].payload.receiptId).toBe(res.body.receiptId);
    expect(JSON.stringify(outbox)).not.toContain(secret);

    const audit = await t.dataSource.query(
      'SELECT action, target_id, changes, metadata FROM audit_events WHERE request_id = $1 ORDER BY seq',
      [requestId],
    );
    const actions = audit.map((a: { action: string }) => a.action);
    expect(actions).toContain('credential.submitted');
    expect(actions).toContain('milestone.reached');
    const submitted = audit.find((a: { action: string }) => a.action === 'credential.submitted');
    expect(submitted.target_id).toBe(installation.id);
    expect(submitted.changes).toEqual([{ field: 'credentials', before: null, after: res.body.credential.fingerprint }]);
    expect(JSON.stringify(audit)).not.toContain(secret);

    const [stored] = await t.dataSource.query(
      'SELECT key_id, state, octet_length(secret_ciphertext) AS len, position($2::bytea in secret_ciphertext) AS at FROM credential_versions WHERE id = $1',
      [res.body.credential.id, Buffer.from(secret)],
    );
    expect(stored.state).toBe('pending');
    expect(stored.key_id).toEqual(expect.any(String));
    expect(stored.len).toBeGreaterThan(secret.length);
    expect(stored.at).toBe(0);
  });

  it('SpotHero credentials: the partnerKey is masked to its last four', async () => {
    const installation = await draft(spotheroInstallation());
    const res = await put(installation.id, { credentials: { partnerKey: 'sh-key-abcdef-9876' } });
    expect(res.status).toBe(202);
    expect(res.body.credential.fields.partnerKey.last4).toBe('9876');
  });

  it('invalid credential fields are 400 naming the field; nothing is written and the status stays draft', async () => {
    const installation = await draft();
    const cases: [Record<string, unknown>, string][] = [
      [{ credentials: {} }, 'credentials.clientSecret'],
      [{ credentials: { clientSecret: 'short' } }, 'credentials.clientSecret'],
      [{ credentials: { clientSecret: 12345678 } }, 'credentials.clientSecret'],
      [{ credentials: { clientSecret: 'valid-secret-1', apiKey: 'x' } }, 'credentials.apiKey'],
      [{ credentials: { clientSecret: 'valid-secret-1', webhookAuthSecret: 'tooshort' } }, 'credentials.webhookAuthSecret'],
      [{ credentials: 'a-string' }, 'credentials'],
      [{}, 'credentials'],
      [{ credentials: { clientSecret: 'valid-secret-1' }, extra: true }, 'extra'],
    ];
    for (const [body, path] of cases) {
      const requestId = newRequestId('bad-cred');
      const res = await put(installation.id, body).set('X-Request-Id', requestId);
      expectEnvelope(res, 400, { path, requestId });
      expect(JSON.stringify(res.body)).not.toContain('valid-secret-1');
      await expectNothingWrittenBy(t, requestId);
    }
    const [{ n }] = await t.dataSource.query('SELECT count(*)::int AS n FROM credential_versions WHERE installation_id = $1', [
      installation.id,
    ]);
    expect(n).toBe(0);
    const [{ m }] = await t.dataSource.query('SELECT count(*)::int AS m FROM verification_receipts WHERE installation_id = $1', [
      installation.id,
    ]);
    expect(m).toBe(0);
    expect(
      (
        await t
          .http()
          .get(`/v1/installations/${installation.id}`)
          .set(...bearer(viewer))
      ).body.status,
    ).toBe('draft');
  });

  it('PUT for an unknown installation is 404; for production without a reason 400 naming header.X-Change-Reason, with one 202', async () => {
    expectEnvelope(await put(randomUUID(), { credentials: { clientSecret: 'valid-secret-1' } }), 404, { error: 'not_found' });
    const production = await draft(parkwhizInstallation({ environment: 'production' }));
    const noReason = await put(production.id, { credentials: { clientSecret: 'valid-secret-1' } });
    expectEnvelope(noReason, 400, { path: 'header.X-Change-Reason' });
    await expectNothingWrittenBy(t, noReason.body.requestId);
    const withHeader = await put(production.id, { credentials: { clientSecret: 'valid-secret-1' } }).set(
      'X-Change-Reason',
      'initial go-live',
    );
    expect(withHeader.status).toBe(202);
    const withBody = await put(production.id, { credentials: { clientSecret: 'valid-secret-2' }, reason: 'rotation CHG-9' });
    expect(withBody.status).toBe(202);
  });

  it('rotation: a second PUT supersedes the previous pending version; an active version stays active until the new one verifies', async () => {
    const installation = await draft();
    const first = await put(installation.id, { credentials: { clientSecret: 'first-secret-1111' } });
    const second = await put(installation.id, { credentials: { clientSecret: 'second-secret-2222' } });
    expect([first.status, second.status]).toEqual([202, 202]);
    expect(second.body.credential.version).toBe(2);
    expect(second.body.credential.fingerprint).not.toBe(first.body.credential.fingerprint);
    const states = async () =>
      (
        await t.dataSource.query('SELECT version, state FROM credential_versions WHERE installation_id = $1 ORDER BY version', [
          installation.id,
        ])
      ).map((r: { version: number; state: string }) => `${r.version}:${r.state}`);
    expect(await states()).toEqual(['1:superseded', '2:pending']);

    // Version 2 verifies (as the worker would), then a rotation to version 3 keeps 2 active.
    await activate(installation.id, 2);
    const third = await put(installation.id, { credentials: { clientSecret: 'third-secret-3333' } });
    expect(third.status).toBe(202);
    expect(await states()).toEqual(['1:superseded', '2:active', '3:pending']);
    const read = await t
      .http()
      .get(`/v1/installations/${installation.id}`)
      .set(...bearer(viewer));
    expect(read.body.activeCredential.version).toBe(2);
    expect(read.body.pendingCredential.version).toBe(3);
    expect(read.body.activeCredential.fields.clientSecret.last4).toBe('2222');
    expect(read.body.pendingCredential.fields.clientSecret.last4).toBe('3333');
    // The audit row of the rotation records before/after fingerprints.
    const [audit] = await t.dataSource.query(`SELECT changes FROM audit_events WHERE action = 'credential.submitted' AND request_id = $1`, [
      third.headers['x-request-id'],
    ]);
    expect(audit.changes[0].after).toBe(third.body.credential.fingerprint);
    expect(audit.changes[0].before).toBe(second.body.credential.fingerprint);
  });

  it('GET /credentials lists every version, newest first, masked', async () => {
    const installation = await draft();
    const secrets = ['list-secret-aaaa', 'list-secret-bbbb', 'list-secret-cccc'];
    for (const secret of secrets) expect((await put(installation.id, { credentials: { clientSecret: secret } })).status).toBe(202);
    const res = await t
      .http()
      .get(`/v1/installations/${installation.id}/credentials`)
      .set(...bearer(viewer));
    expect(res.status).toBe(200);
    expect(res.body.map((c: { version: number }) => c.version)).toEqual([3, 2, 1]);
    expect(res.body.map((c: { state: string }) => c.state)).toEqual(['pending', 'superseded', 'superseded']);
    expect(res.body.map((c: { fields: { clientSecret: { last4: string } } }) => c.fields.clientSecret.last4)).toEqual([
      'cccc',
      'bbbb',
      'aaaa',
    ]);
    const text = JSON.stringify(res.body);
    for (const secret of secrets) expect(text).not.toContain(secret);
    expect(text).not.toMatch(/ciphertext|secretCiphertext|keyId/);
    expectEnvelope(
      await t
        .http()
        .get(`/v1/installations/${randomUUID()}/credentials`)
        .set(...bearer(viewer)),
      404,
    );
  });

  describe('reveal', () => {
    async function withActive(secret: string): Promise<JsonBody> {
      const installation = await draft();
      const res = await put(installation.id, { credentials: { clientSecret: secret } });
      expect(res.status).toBe(202);
      await activate(installation.id, 1);
      return { ...installation, credential: res.body.credential };
    }

    it('admin + reason: the plaintext, once, and an audit row credential.revealed with fingerprint and reason but not the value', async () => {
      const secret = `reveal-me-${randomUUID()}`;
      const installation = await withActive(secret);
      const requestId = newRequestId('reveal');
      const res = await reveal(installation.id, { reason: 'INC-4821 vendor portal re-entry' }).set('X-Request-Id', requestId);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ version: 1, fingerprint: installation.credential.fingerprint, credentials: { clientSecret: secret } });
      expect(res.headers['cache-control'] ?? '').toMatch(/no-store/);
      const audit = await t.dataSource.query(
        'SELECT action, actor_id, reason, target_id, metadata, changes, outcome FROM audit_events WHERE request_id = $1',
        [requestId],
      );
      expect(audit).toHaveLength(1);
      expect(audit[0]).toEqual(
        expect.objectContaining({
          action: 'credential.revealed',
          actor_id: 'admin-credentials',
          reason: 'INC-4821 vendor portal re-entry',
          target_id: installation.id,
          outcome: 'success',
        }),
      );
      expect(audit[0].metadata).toEqual(
        expect.objectContaining({ fingerprint: installation.credential.fingerprint, credentialVersion: 1 }),
      );
      expect(JSON.stringify(audit)).not.toContain(secret);
      // Every reveal is audited: a second one adds a second row.
      const again = await reveal(installation.id, { reason: 'second look' });
      expect(again.status).toBe(200);
      const [{ n }] = await t.dataSource.query(
        `SELECT count(*)::int AS n FROM audit_events WHERE action = 'credential.revealed' AND target_id = $1`,
        [installation.id],
      );
      expect(n).toBe(2);
    });

    it('reveals a specific version when asked', async () => {
      const installation = await withActive('version-one-secret');
      expect((await put(installation.id, { credentials: { clientSecret: 'version-two-secret' } })).status).toBe(202);
      const res = await reveal(installation.id, { reason: 'compare', version: 2 });
      expect(res.status).toBe(200);
      expect(res.body.credentials.clientSecret).toBe('version-two-secret');
      expectEnvelope(await reveal(installation.id, { reason: 'missing', version: 99 }), 404);
    });

    it('without a reason (missing, empty, wrong type) is 400 naming reason and audits nothing', async () => {
      const secret = `no-reason-${randomUUID()}`;
      const installation = await withActive(secret);
      for (const body of [{}, { reason: '' }, { reason: 42 }, { reason: ['a'] }]) {
        const requestId = newRequestId('reveal-noreason');
        const res = await reveal(installation.id, body).set('X-Request-Id', requestId);
        expectEnvelope(res, 400, { path: 'reason', requestId });
        expect(JSON.stringify(res.body)).not.toContain(secret);
        await expectNothingWrittenBy(t, requestId);
      }
    });

    it('a 1 MB reason is refused (413 or 400) and reveals nothing', async () => {
      const secret = `huge-reason-${randomUUID()}`;
      const installation = await withActive(secret);
      const requestId = newRequestId('reveal-huge');
      const res = await reveal(installation.id, { reason: 'r'.repeat(1024 * 1024) }).set('X-Request-Id', requestId);
      expect([400, 413]).toContain(res.status);
      expectEnvelope(res, res.status, { requestId });
      expect(JSON.stringify(res.body)).not.toContain(secret);
      await expectNothingWrittenBy(t, requestId);
      // Just over the documented 1000 characters is a 400 naming reason.
      expectEnvelope(await reveal(installation.id, { reason: 'r'.repeat(1001) }), 400, { path: 'reason' });
    });

    it('by engineer, viewer or auditor is 403 with no plaintext and no audit row', async () => {
      const secret = `forbidden-${randomUUID()}`;
      const installation = await withActive(secret);
      for (const roles of [['engineer'], ['viewer'], ['auditor'], ['engineer', 'auditor']]) {
        const requestId = newRequestId('reveal-403');
        const res = await reveal(installation.id, { reason: 'curious' }, tokenFor(roles)).set('X-Request-Id', requestId);
        expectEnvelope(res, 403, { error: 'forbidden', requestId });
        expect(JSON.stringify(res.body)).not.toContain(secret);
        await expectNothingWrittenBy(t, requestId);
      }
    });

    it('no active credential: 404, unknown installation: 404', async () => {
      const installation = await draft();
      expect((await put(installation.id, { credentials: { clientSecret: 'pending-only-secret' } })).status).toBe(202);
      const res = await reveal(installation.id, { reason: 'nothing active yet' });
      expectEnvelope(res, 404);
      expect(JSON.stringify(res.body)).not.toContain('pending-only-secret');
      expectEnvelope(await reveal(randomUUID(), { reason: 'x' }), 404);
    });
  });
});
