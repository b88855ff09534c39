import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import request, { type Response } from 'supertest';
import { startAppProcess, type AppProcess } from './support/app-process';
import { parkwhizInstallation, tokenFor } from './support/test-app';

/**
 * Issue 2 item 5 / RELIABILITY S2: a canary secret appears nowhere in the database outside
 * credential_versions.secret_ciphertext, in no response (except the audited reveal) and in no log
 * line. The app runs as its own process at LOG_LEVEL=debug so every byte it logs is captured.
 */
describe('canary secret', () => {
  let app: AppProcess;
  let db: Client;
  const run = randomUUID().replace(/-/g, '');
  const canaries = {
    created: `CANARYa${run}`,
    webhook: `CANARYw${run}`,
    rotated: `CANARYr${run}`,
    rejected: `CANARYx${run}`,
    malformed: `CANARYm${run}`,
  };
  /** Every encoding a careless log or column might hold. */
  const forms = (secret: string): string[] => [
    secret,
    Buffer.from(secret).toString('base64'),
    Buffer.from(secret).toString('base64url'),
    Buffer.from(secret).toString('hex'),
    // The head and the unique tail alone, so a truncated echo (e.g. a JSON parser's excerpt) is caught too.
    secret.slice(0, 10),
    secret.slice(-20),
  ];
  const allForms = Object.values(canaries).flatMap(forms);
  const responses: { label: string; res: Response }[] = [];
  const requestIds: { label: string; id: string }[] = [];
  const idempotencyKey = `canary-key-${randomUUID()}`;
  const logControl = `LOGCONTROL${randomUUID().slice(0, 8)}`;
  const engineer = tokenFor(['engineer'], 'eng-canary');
  const admin = tokenFor(['admin'], 'admin-canary');
  let installationId = '';

  const http = () => request(app.baseUrl);
  async function track(label: string, pending: request.Test): Promise<Response> {
    const requestId = `canary-${label}-${randomUUID()}`;
    requestIds.push({ label, id: requestId });
    const res = await pending.set('X-Request-Id', requestId);
    responses.push({ label, res });
    return res;
  }

  beforeAll(async () => {
    app = await startAppProcess({ LOG_LEVEL: 'debug' });
    db = new Client({ connectionString: process.env.MIGRATION_DATABASE_URL });
    await db.connect();

    const body = parkwhizInstallation({ credentials: { clientSecret: canaries.created, webhookAuthSecret: canaries.webhook } });
    const created = await track(
      'create',
      http().post('/v1/installations').set('Authorization', `Bearer ${engineer}`).set('Idempotency-Key', idempotencyKey).send(body),
    );
    expect(created.status).toBe(201);
    installationId = created.body.id;
    const replay = await track(
      'replay',
      http().post('/v1/installations').set('Authorization', `Bearer ${engineer}`).set('Idempotency-Key', idempotencyKey).send(body),
    );
    expect(replay.status).toBe(200);

    expect((await track('get', http().get(`/v1/installations/${installationId}`).set('Authorization', `Bearer ${engineer}`))).status).toBe(
      200,
    );
    expect(
      (
        await track(
          'list',
          http()
            .get('/v1/installations')
            .query({ propertyId: body.propertyId as string })
            .set('Authorization', `Bearer ${engineer}`),
        )
      ).status,
    ).toBe(200);
    // A control string in the URL: the request logger prints URLs, so the search below must find it.
    expect(
      (await track('log-control', http().get('/v1/installations').query({ q: logControl }).set('Authorization', `Bearer ${engineer}`)))
        .status,
    ).toBe(200);
    expect(
      (await track('list-all', http().get('/v1/installations').query({ limit: 100 }).set('Authorization', `Bearer ${engineer}`))).status,
    ).toBe(200);
    const patched = await track(
      'patch',
      http()
        .patch(`/v1/installations/${installationId}`)
        .set('Authorization', `Bearer ${engineer}`)
        .set('If-Match', `"${created.body.version}"`)
        .send({ ownerTeam: 'canary-team' }),
    );
    expect(patched.status).toBe(200);
    expect(
      (
        await track(
          'rotate',
          http()
            .put(`/v1/installations/${installationId}/credentials`)
            .set('Authorization', `Bearer ${engineer}`)
            .send({ credentials: { clientSecret: canaries.rotated } }),
        )
      ).status,
    ).toBe(202);
    expect(
      (
        await track(
          'credentials-list',
          http().get(`/v1/installations/${installationId}/credentials`).set('Authorization', `Bearer ${engineer}`),
        )
      ).status,
    ).toBe(200);

    // Refused submissions: the secret must not be echoed in the error, logged or stored.
    const rejected = await track(
      'rejected-fields',
      http()
        .put(`/v1/installations/${installationId}/credentials`)
        .set('Authorization', `Bearer ${engineer}`)
        .send({ credentials: { clientSecret: `${canaries.rejected} with spaces`, bogus: canaries.rejected } }),
    );
    expect(rejected.status).toBe(400);
    const rejectedCreate = await track(
      'rejected-create',
      http()
        .post('/v1/installations')
        .set('Authorization', `Bearer ${engineer}`)
        .send(parkwhizInstallation({ credentials: { clientSecret: canaries.rejected }, unknownTopLevel: canaries.rejected })),
    );
    expect(rejectedCreate.status).toBe(400);
    const malformed = await track(
      'malformed-json',
      http()
        .put(`/v1/installations/${installationId}/credentials`)
        .set('Authorization', `Bearer ${engineer}`)
        .set('Content-Type', 'application/json')
        .send(`{"credentials":{"clientSecret": ${canaries.malformed}}}`),
    );
    expect(malformed.status).toBe(400);
    const oversize = await track(
      'oversize',
      http()
        .put(`/v1/installations/${installationId}/credentials`)
        .set('Authorization', `Bearer ${engineer}`)
        .send({ credentials: { clientSecret: canaries.malformed, padding: 'p'.repeat(300 * 1024) } }),
    );
    expect(oversize.status).toBe(413);
    const forbidden = await track(
      'forbidden-reveal',
      http()
        .post(`/v1/installations/${installationId}/credentials/reveal`)
        .set('Authorization', `Bearer ${engineer}`)
        .send({ reason: 'x' }),
    );
    expect(forbidden.status).toBe(403);

    // Version 1 verifies (as the worker would), so the audited reveal can return it.
    await db.query(`UPDATE credential_versions SET state = 'active', verified_at = now() WHERE installation_id = $1 AND version = 1`, [
      installationId,
    ]);
    const revealed = await track(
      'reveal',
      http()
        .post(`/v1/installations/${installationId}/credentials/reveal`)
        .set('Authorization', `Bearer ${admin}`)
        .send({ reason: 'canary test' }),
    );
    expect(revealed.status).toBe(200);
    expect(
      (await track('get-after', http().get(`/v1/installations/${installationId}`).set('Authorization', `Bearer ${engineer}`))).status,
    ).toBe(200);
    // Give the logger a moment to flush.
    await new Promise((r) => setTimeout(r, 500));
  }, 120_000);

  afterAll(async () => {
    await db?.end();
    await app?.stop();
  });

  it('the reveal returns the canary (the positive control: the secret was stored and can be opened)', () => {
    const reveal = responses.find((r) => r.label === 'reveal')!.res;
    expect(reveal.body.credentials).toEqual({ clientSecret: canaries.created, webhookAuthSecret: canaries.webhook });
  });

  it('appears in no response body or header except the audited reveal', () => {
    expect(responses.length).toBeGreaterThanOrEqual(14);
    for (const { label, res } of responses) {
      if (label === 'reveal') continue;
      const text = `${JSON.stringify(res.headers)}\n${res.text}`;
      for (const form of allForms) {
        if (text.includes(form)) throw new Error(`response of ${label} contains the canary (${form}): ${text.slice(0, 1000)}`);
      }
    }
    // The masked summaries are there instead.
    const get = responses.find((r) => r.label === 'get-after')!.res;
    expect(get.body.activeCredential.fields.clientSecret.last4).toBe(canaries.created.slice(-4));
    expect(get.body.pendingCredential.fields.clientSecret.last4).toBe(canaries.rotated.slice(-4));
  });

  it('appears nowhere in the database outside credential_versions.secret_ciphertext', async () => {
    const tables: { table_name: string }[] = (
      await db.query(
        `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name`,
      )
    ).rows;
    expect(tables.map((t) => t.table_name)).toEqual(
      expect.arrayContaining([
        'installations',
        'credential_versions',
        'audit_events',
        'outbox_events',
        'verification_receipts',
        'idempotency_records',
      ]),
    );
    let dump = '';
    for (const { table_name: table } of tables) {
      const rows = (await db.query(`SELECT (to_jsonb(t) - 'secret_ciphertext')::text AS row FROM public."${table}" t`)).rows as {
        row: string;
      }[];
      dump += `\n-- ${table}\n${rows.map((r) => r.row).join('\n')}`;
    }
    // The dump is not vacuous: it holds the installation, its audit trail and its events.
    expect(dump).toContain(installationId);
    expect(dump).toContain('credential.submitted');
    expect(dump).toContain('credential.revealed');
    for (const form of allForms) {
      if (dump.includes(form)) {
        const line = dump.split('\n').find((l) => l.includes(form));
        throw new Error(`database contains the canary (${form}) in: ${line?.slice(0, 500)}`);
      }
    }
    // Nor is the plaintext inside the ciphertext bytes.
    for (const secret of Object.values(canaries)) {
      const { rows } = await db.query(
        'SELECT count(*)::int AS n FROM credential_versions WHERE position($1::bytea in secret_ciphertext) > 0',
        [Buffer.from(secret)],
      );
      expect(rows[0].n).toBe(0);
    }
    const { rows: stored } = await db.query('SELECT count(*)::int AS n FROM credential_versions WHERE installation_id = $1', [
      installationId,
    ]);
    expect(stored[0].n).toBe(2);
  });

  it('appears in no log line, while the log did capture every request (debug level, JSON, with its request id)', () => {
    const output = app.output();
    const lines = output.split('\n').filter((l) => l.trim().length > 0);
    expect(lines.length).toBeGreaterThanOrEqual(requestIds.length);
    // Every request, including those the body parser refused (malformed, oversize): the request log is a Fastify hook.
    for (const { id: requestId } of requestIds) {
      const line = lines.find((l) => l.includes(requestId));
      if (!line) throw new Error(`no log line carries request id ${requestId}; captured:\n${output.slice(-3000)}`);
      expect(() => JSON.parse(line)).not.toThrow();
    }
    // The search can fail: a string the log does carry is found.
    expect(output).toContain(logControl);
    for (const form of allForms) {
      const leaked = lines.find((l) => l.includes(form));
      if (leaked) throw new Error(`log line contains the canary (${form}): ${leaked.slice(0, 1000)}`);
    }
    // Bearer tokens are not logged either.
    expect(output).not.toContain(engineer);
    expect(output).not.toContain(admin);
  });
});
