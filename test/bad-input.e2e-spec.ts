import { randomUUID } from 'node:crypto';
import {
  bearer,
  countInstallationsWithProperty,
  expectEnvelope,
  expectNothingWrittenBy,
  newRequestId,
  type JsonBody,
} from './support/http-assertions';
import { parkwhizInstallation, spotheroInstallation, startTestApp, tokenFor, type TestApp } from './support/test-app';

/**
 * Issue 2 "Bad input": each a 4xx with the envelope naming what and where, and nothing written.
 * Every bad write carries its own X-Request-Id and unique propertyId, so "nothing written" is
 * checked exactly (no audit row, no outbox row, no installation) even while other specs write.
 */
describe('bad input', () => {
  let t: TestApp;
  const engineer = tokenFor(['engineer'], 'eng-bad-input');
  const viewer = tokenFor(['viewer'], 'viewer-bad-input');

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => t.close());

  /** POSTs a create body and proves nothing was written; returns the response for assertions. */
  async function badCreate(
    body: Record<string, unknown> | string,
    status: number,
    expected: { error?: string; path?: string } = {},
    contentType = 'application/json',
  ) {
    const requestId = newRequestId('bad');
    const res = await t
      .http()
      .post('/v1/installations')
      .set(...bearer(engineer))
      .set('X-Request-Id', requestId)
      .set('Content-Type', contentType)
      .send(typeof body === 'string' ? body : JSON.stringify(body));
    expectEnvelope(res, status, { ...expected, requestId });
    await expectNothingWrittenBy(t, requestId);
    if (typeof body !== 'string' && typeof body.propertyId === 'string')
      expect(await countInstallationsWithProperty(t, body.propertyId)).toBe(0);
    return res;
  }

  async function createOk(body: Record<string, unknown>): Promise<JsonBody> {
    const res = await t
      .http()
      .post('/v1/installations')
      .set(...bearer(engineer))
      .send(body);
    if (res.status !== 201) throw new Error(`create failed ${res.status}: ${JSON.stringify(res.body)}`);
    return res.body;
  }

  const paths = (res: { body: { details: { path: string }[] } }) => res.body.details.map((d) => d.path);

  describe('request id', () => {
    it('echoes a well-formed client X-Request-Id in header and envelope', async () => {
      const id = `client-${randomUUID()}`;
      const res = await t
        .http()
        .get(`/v1/installations/${randomUUID()}`)
        .set(...bearer(viewer))
        .set('X-Request-Id', id);
      expectEnvelope(res, 404, { requestId: id });
      const ok = await t
        .http()
        .get('/v1/vendors')
        .set(...bearer(viewer))
        .set('X-Request-Id', id);
      expect(ok.status).toBe(200);
      expect(ok.headers['x-request-id']).toBe(id);
    });

    it('replaces a malformed X-Request-Id with its own', async () => {
      for (const offered of ['has spaces', 'x'.repeat(129), '<script>']) {
        const res = await t
          .http()
          .get(`/v1/installations/${randomUUID()}`)
          .set(...bearer(viewer))
          .set('X-Request-Id', offered);
        expectEnvelope(res, 404);
        expect(res.body.requestId).not.toBe(offered);
        expect(res.body.requestId).toMatch(/^[0-9a-f-]{36}$/);
      }
    });

    it('every response, including success and 401, carries an X-Request-Id', async () => {
      expect((await t.http().get('/health/live')).headers['x-request-id']).toEqual(expect.any(String));
      const unauth = await t.http().get('/v1/installations');
      expectEnvelope(unauth, 401);
    });
  });

  describe('body syntax and size', () => {
    it('malformed JSON is 400 malformed_json with a request id', async () => {
      const res = await badCreate('{"vendor": "parkwhiz", ', 400, { error: 'malformed_json', path: 'body' });
      expect(res.body.message).toMatch(/JSON/);
    });

    it('malformed JSON never echoes the body (it may hold a secret), only the position', async () => {
      for (const body of [
        '{"s": hunter2}',
        '{"credentials":{"clientSecret": pw-Secret-0099887766}}',
        '{"credentials":{"clientSecret":"pw-Secret-5544"',
        "{'clientSecret':'pw-Secret-3322'}",
      ]) {
        const res = await badCreate(body, 400, { error: 'malformed_json', path: 'body' });
        const text = JSON.stringify(res.body);
        for (const fragment of ['hunter2', 'hunter', 'pw-Secret', 'Secret', 'tSecret']) expect(text).not.toContain(fragment);
        expect(res.body.details[0].message).toMatch(/^is not valid JSON/);
      }
    });

    it('a non-object JSON body (array, string, number, null) is a 400', async () => {
      for (const body of ['[]', '"parkwhiz"', '42', 'null']) await badCreate(body, 400);
    });

    it('a body over the 256 KiB limit is 413 payload_too_large', async () => {
      const body = parkwhizInstallation({ documentation: { notes: 'x'.repeat(300 * 1024) } });
      const res = await badCreate(body, 413, { error: 'payload_too_large' });
      expect(res.body.message).toMatch(/size limit/);
    });

    it('a non-JSON content type is refused with a 4xx and writes nothing', async () => {
      const requestId = newRequestId('ctype');
      const body = parkwhizInstallation();
      const res = await t
        .http()
        .post('/v1/installations')
        .set(...bearer(engineer))
        .set('X-Request-Id', requestId)
        .set('Content-Type', 'text/plain')
        .send(JSON.stringify(body));
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
      expectEnvelope(res, res.status);
      await expectNothingWrittenBy(t, requestId);
      expect(await countInstallationsWithProperty(t, body.propertyId as string)).toBe(0);
    });
  });

  describe('create: fields', () => {
    it('missing required fields are each named', async () => {
      const res = await badCreate({}, 400, { error: 'validation_failed' });
      expect(paths(res)).toEqual(expect.arrayContaining(['vendor', 'environment', 'propertyId', 'propertyName', 'config']));
    });

    it.each([
      ['vendor', { vendor: 5 }],
      ['environment', { environment: 'staging' }],
      ['propertyId', { propertyId: 123 }],
      ['propertyId', { propertyId: 'has space' }],
      ['propertyName', { propertyName: ['array'] }],
      ['propertyName', { propertyName: 'n'.repeat(201) }],
      ['propertyName', { propertyName: '' }],
      ['config', { config: 'not-an-object' }],
      ['config', { config: ['array'] }],
      ['versions', { versions: 'x' }],
      ['versions.pms', { versions: { pms: 5 } }],
      ['ownerTeam', { ownerTeam: { team: 'x' } }],
      ['installedAt', { installedAt: 'yesterday' }],
      ['installedAt', { installedAt: 1730000000 }],
      ['documentation.runbookUrl', { documentation: { runbookUrl: 'http://wiki.example.com/x' } }],
      [
        'documentation.dataFlows[0].personalData',
        {
          documentation: {
            dataFlows: [
              { name: 'n', direction: 'partner_to_pms', data: [], personalData: 'yes', trigger: 'pull', frequency: 'f', processing: 'p' },
            ],
          },
        },
      ],
      [
        'documentation.dataFlows[0].direction',
        {
          documentation: {
            dataFlows: [
              { name: 'n', direction: 'sideways', data: [], personalData: false, trigger: 'pull', frequency: 'f', processing: 'p' },
            ],
          },
        },
      ],
      ['credentials', { credentials: 'secret-as-string' }],
      ['endpoints', { endpoints: 'https://api.parkwhiz.com/v4' }],
    ])('wrong type or shape: 400 naming %s', async (path, override) => {
      await badCreate(parkwhizInstallation(override), 400, { error: 'validation_failed', path });
    });

    it.each([
      ['propertyName', { propertyName: 'Garage\u0000 12' }],
      ['ownerTeam', { ownerTeam: 'team\u0000' }],
      ['installedBy', { installedBy: '\u0000' }],
      ['versions.pms', { versions: { pms: '7.4\u00002' } }],
      ['documentation.notes', { documentation: { notes: 'a\u0000b' } }],
      ['config.clientId', { config: { clientId: 'pw\u0000', scope: 'partner', locationIds: ['1'] } }],
      ['config.locationIds[1]', { config: { clientId: 'pw', scope: 'partner', locationIds: ['1', '2\u0000'] } }],
      ['credentials.clientSecret', { credentials: { clientSecret: 'abcdefgh\u0000ijk' } }],
    ])('text PostgreSQL cannot store (NUL) is a 400 naming %s, not a 500', async (path, override) => {
      await badCreate(parkwhizInstallation(override), 400, { error: 'validation_failed', path });
    });

    it('unpaired UTF-16 surrogates are a 400 naming the field, not a 500', async () => {
      const body = parkwhizInstallation({ propertyName: 'PLACEHOLDER' });
      await badCreate(JSON.stringify(body).replace('"PLACEHOLDER"', '"Garage \\ud800 12"'), 400, { path: 'propertyName' });
      await badCreate(JSON.stringify(body).replace('"PLACEHOLDER"', '"\\udc00"'), 400, { path: 'propertyName' });
      // A proper pair (an emoji) is fine (control).
      const ok = await t
        .http()
        .post('/v1/installations')
        .set(...bearer(engineer))
        .set('Content-Type', 'application/json')
        .send(JSON.stringify(body).replace('"PLACEHOLDER"', '"Garage \\ud83d\\ude97"'));
      expect(ok.status).toBe(201);
      expect(ok.body.propertyName).toBe('Garage \u{1F697}');
    });

    it('deeply nested JSON is a 400, not a 500', async () => {
      const deep = `${'['.repeat(5000)}${']'.repeat(5000)}`;
      await badCreate(
        JSON.stringify(parkwhizInstallation({ documentation: { notes: 'PLACEHOLDER' } })).replace('"PLACEHOLDER"', deep),
        400,
      );
      await badCreate(
        JSON.stringify(parkwhizInstallation({ config: 'PLACEHOLDER' })).replace(
          '"PLACEHOLDER"',
          `${'{"a":'.repeat(3000)}1${'}'.repeat(3000)}`,
        ),
        400,
      );
    });

    it('an unknown vendor in the body is 400 naming vendor; GET /v1/vendors/nope is 404', async () => {
      await badCreate(parkwhizInstallation({ vendor: 'nope' }), 400, { path: 'vendor' });
      const res = await t
        .http()
        .get('/v1/vendors/nope')
        .set(...bearer(viewer));
      expectEnvelope(res, 404, { error: 'not_found', path: 'path.vendor' });
    });

    it('an unknown top-level field is 400 naming it', async () => {
      const res = await badCreate(parkwhizInstallation({ role: 'admin' }), 400, { path: 'role' });
      expect(res.body.details.find((d: { path: string }) => d.path === 'role').message).toBe('unknown field');
      await badCreate(parkwhizInstallation({ status: 'active' }), 400, { path: 'status' });
      await badCreate(parkwhizInstallation({ id: randomUUID() }), 400, { path: 'id' });
    });

    it('an unknown field nested in config is 400 naming config.<field>', async () => {
      const res = await badCreate(
        parkwhizInstallation({ config: { clientId: 'pw-client-1', scope: 'partner', locationIds: ['4412'], role: 'admin' } }),
        400,
        { path: 'config.role' },
      );
      expect(res.body.details).toEqual([{ path: 'config.role', message: 'unknown field' }]);
      await badCreate(spotheroInstallation({ config: { facilityIds: ['1'], extra: true } }), 400, { path: 'config.extra' });
    });

    it('a __proto__ key in config pollutes nothing and is never stored', async () => {
      // Dropped before validation (class-transformer skips __proto__), so the request succeeds with the clean config.
      const clean = parkwhizInstallation();
      const body = JSON.stringify(clean).replace('"config":{', '"config":{"__proto__":{"polluted":true},');
      expect(body).toContain('__proto__');
      const res = await t
        .http()
        .post('/v1/installations')
        .set(...bearer(engineer))
        .set('Content-Type', 'application/json')
        .send(body);
      expect([201, 400]).toContain(res.status);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      expect(Object.prototype.hasOwnProperty.call(Object.prototype, 'polluted')).toBe(false);
      const rows = await t.dataSource.query('SELECT config::text AS config FROM installations WHERE property_id = $1', [clean.propertyId]);
      for (const row of rows) expect(row.config).not.toContain('polluted');
      if (res.status === 201) expect(res.body.config).toEqual(clean.config);
    });

    it('unknown fields inside documentation, versions, a data flow and credentials are 400 naming them', async () => {
      await badCreate(parkwhizInstallation({ documentation: { secretNotes: 'x' } }), 400, { path: 'documentation.secretNotes' });
      await badCreate(parkwhizInstallation({ versions: { pms: '1', os: 'linux' } }), 400, { path: 'versions.os' });
      await badCreate(
        parkwhizInstallation({
          documentation: {
            dataFlows: [
              {
                name: 'n',
                direction: 'partner_to_pms',
                data: [],
                personalData: false,
                trigger: 'pull',
                frequency: 'f',
                processing: 'p',
                extra: 1,
              },
            ],
          },
        }),
        400,
        { path: 'documentation.dataFlows[0].extra' },
      );
      await badCreate(parkwhizInstallation({ credentials: { clientSecret: 'valid-secret-123', password: 'x' } }), 400, {
        path: 'credentials.password',
      });
      await badCreate(parkwhizInstallation({ endpoints: { baseUrl: 'https://api-sandbox.parkwhiz.com/v4', headers: {} } }), 400, {
        path: 'endpoints.headers',
      });
    });

    it('config validated against the template: missing, wrong pattern, wrong enum, wrong type are named', async () => {
      await badCreate(parkwhizInstallation({ config: { scope: 'partner', locationIds: ['1'] } }), 400, { path: 'config.clientId' });
      await badCreate(parkwhizInstallation({ config: { clientId: 'pw', scope: 'everything', locationIds: ['1'] } }), 400, {
        path: 'config.scope',
      });
      await badCreate(parkwhizInstallation({ config: { clientId: 'pw', scope: 'partner', locationIds: ['a/b'] } }), 400, {
        path: 'config.locationIds[0]',
      });
      await badCreate(parkwhizInstallation({ config: { clientId: 'pw', scope: 'partner', locationIds: '1' } }), 400, {
        path: 'config.locationIds',
      });
      await badCreate(parkwhizInstallation({ config: { clientId: 'pw', scope: 'partner', locationIds: [] } }), 400, {
        path: 'config.locationIds',
      });
      await badCreate(spotheroInstallation({ config: { facilityIds: ['1'], spotheroVersion: '2016-13-01' } }), 400, {
        path: 'config.spotheroVersion',
      });
    });

    it('credentials validated against the template; the error never echoes the secret', async () => {
      const res = await badCreate(parkwhizInstallation({ credentials: { clientSecret: 'short' } }), 400, {
        path: 'credentials.clientSecret',
      });
      expect(JSON.stringify(res.body)).not.toContain('"short"');
      const spaced = await badCreate(parkwhizInstallation({ credentials: { clientSecret: 'has a space in secret' } }), 400, {
        path: 'credentials.clientSecret',
      });
      expect(JSON.stringify(spaced.body)).not.toContain('has a space in secret');
      await badCreate(spotheroInstallation({ credentials: {} }), 400, { path: 'credentials.partnerKey' });
      await badCreate(spotheroInstallation({ credentials: { partnerKey: 12345678 } }), 400, { path: 'credentials.partnerKey' });
    });

    it('reports every problem at once', async () => {
      const res = await badCreate(parkwhizInstallation({ config: { scope: 'nope', role: 'x' }, credentials: { clientSecret: 'x' } }), 400);
      expect(paths(res)).toEqual(expect.arrayContaining(['config.clientId', 'config.scope', 'config.role', 'credentials.clientSecret']));
    });
  });

  describe('endpoints', () => {
    it.each([
      ['http:// for production', 'parkwhiz', 'production', 'http://api.parkwhiz.com/v4'],
      ['user:pass@ for production', 'parkwhiz', 'production', 'https://alice:s3cr3tpw@api.parkwhiz.com/v4'],
      ['user@ only', 'parkwhiz', 'production', 'https://alice@api.parkwhiz.com/v4'],
      ['user:pass@ even for sandbox', 'parkwhiz', 'sandbox', 'https://alice:s3cr3tpw@api-sandbox.parkwhiz.com/v4'],
      ['a host outside the allow-list', 'parkwhiz', 'production', 'https://evil.example.com/v4'],
      ['a look-alike host', 'parkwhiz', 'production', 'https://api.parkwhiz.com.evil.example.com/v4'],
      ['the sandbox host for production', 'parkwhiz', 'production', 'https://api-sandbox.parkwhiz.com/v4'],
      ['a non-default port', 'spothero', 'production', 'https://api.spothero.com:8443'],
      ['ftp scheme', 'spothero', 'sandbox', 'ftp://api.staging.spothero.com'],
      ['a relative URL', 'spothero', 'sandbox', '/v2'],
      ['a query string', 'spothero', 'production', 'https://api.spothero.com?x=1'],
      ['an embedded newline', 'spothero', 'production', 'https://api.spothero.com/\nx'],
      ['a non-string', 'spothero', 'production', 42],
    ])('baseUrl with %s is 400 naming endpoints.baseUrl', async (_label, vendor, environment, baseUrl) => {
      const make = vendor === 'parkwhiz' ? parkwhizInstallation : spotheroInstallation;
      const res = await badCreate(make({ environment, endpoints: { baseUrl } }), 400, { path: 'endpoints.baseUrl' });
      // The password in the URL is never echoed back.
      expect(JSON.stringify(res.body)).not.toContain('s3cr3tpw');
    });

    it('a missing baseUrl, an unknown path key and path traversal are named', async () => {
      await badCreate(parkwhizInstallation({ endpoints: { paths: { token: '/oauth/token' } } }), 400, { path: 'endpoints.baseUrl' });
      await badCreate(
        parkwhizInstallation({ endpoints: { baseUrl: 'https://api-sandbox.parkwhiz.com/v4', paths: { admin: '/admin' } } }),
        400,
        { path: 'endpoints.paths.admin' },
      );
      await badCreate(
        parkwhizInstallation({ endpoints: { baseUrl: 'https://api-sandbox.parkwhiz.com/v4', paths: { token: '/../../admin' } } }),
        400,
        { path: 'endpoints.paths.token' },
      );
      await badCreate(
        parkwhizInstallation({ endpoints: { baseUrl: 'https://api-sandbox.parkwhiz.com/v4', paths: { token: '//evil.example.com/x' } } }),
        400,
        { path: 'endpoints.paths.token' },
      );
      await badCreate(
        parkwhizInstallation({ endpoints: { baseUrl: 'https://api-sandbox.parkwhiz.com/v4', paths: { location: '/locations' } } }),
        400,
        { path: 'endpoints.paths.location' },
      );
    });

    it('plain http is accepted for a sandbox host on the allow-list (control)', async () => {
      const created = await createOk(parkwhizInstallation({ endpoints: { baseUrl: 'http://api.sandbox.parkwhiz.com/v4' } }));
      expect(created.endpoints.baseUrl).toBe('http://api.sandbox.parkwhiz.com/v4');
    });

    it('PATCH to an http:// production endpoint is 400 and the stored endpoints stay', async () => {
      const created = await createOk(parkwhizInstallation({ environment: 'production' }));
      const requestId = newRequestId('patch-endpoint');
      const res = await t
        .http()
        .patch(`/v1/installations/${created.id}`)
        .set(...bearer(engineer))
        .set('If-Match', `"${created.version}"`)
        .set('X-Change-Reason', 'move host')
        .set('X-Request-Id', requestId)
        .send({ endpoints: { baseUrl: 'http://api.parkwhiz.com/v4' } });
      expectEnvelope(res, 400, { path: 'endpoints.baseUrl', requestId });
      await expectNothingWrittenBy(t, requestId);
      const read = await t
        .http()
        .get(`/v1/installations/${created.id}`)
        .set(...bearer(viewer));
      expect(read.body.endpoints).toEqual(created.endpoints);
      expect(read.body.version).toBe(created.version);
    });
  });

  describe('PATCH bodies', () => {
    it('unknown fields, nested unknowns and wrong types are 400 and change nothing', async () => {
      const created = await createOk(parkwhizInstallation());
      const [before] = await t.dataSource.query('SELECT to_jsonb(i) AS row FROM installations i WHERE id = $1', [created.id]);
      const cases: [Record<string, unknown> | string, string][] = [
        [{ role: 'admin' }, 'role'],
        [{ config: { role: 'admin' } }, 'config.role'],
        [{ documentation: { unknown: 1 } }, 'documentation.unknown'],
        [{ versions: { kernel: '6' } }, 'versions.kernel'],
        [{ propertyName: 5 }, 'propertyName'],
        [{ installedAt: 'not-a-date' }, 'installedAt'],
        [{ config: 'x' }, 'config'],
        ['{bad json', 'body'],
      ];
      for (const [body, path] of cases) {
        const requestId = newRequestId('bad-patch');
        const res = await t
          .http()
          .patch(`/v1/installations/${created.id}`)
          .set(...bearer(engineer))
          .set('If-Match', `"${created.version}"`)
          .set('X-Request-Id', requestId)
          .set('Content-Type', 'application/json')
          .send(typeof body === 'string' ? body : JSON.stringify(body));
        expectEnvelope(res, 400, { path, requestId });
        await expectNothingWrittenBy(t, requestId);
      }
      const [after] = await t.dataSource.query('SELECT to_jsonb(i) AS row FROM installations i WHERE id = $1', [created.id]);
      expect(after).toEqual(before);
    });
  });

  describe('paths', () => {
    it.each([
      ['GET', '/v1/installations/not-a-uuid'],
      ['PATCH', '/v1/installations/not-a-uuid'],
      ['DELETE', '/v1/installations/123'],
      ['PUT', '/v1/installations/not-a-uuid/credentials'],
      ['GET', '/v1/installations/not-a-uuid/credentials'],
      ['POST', '/v1/installations/not-a-uuid/credentials/reveal'],
      ['GET', "/v1/installations/'%20OR%201=1--"],
    ])('%s %s with an invalid UUID is 400 naming path.id', async (method, url) => {
      const admin = tokenFor(['admin']);
      const req = t
        .http()
        [method.toLowerCase() as 'get' | 'patch' | 'delete' | 'put' | 'post'](url)
        .set(...bearer(admin))
        .set('If-Match', '"1"');
      const bodies: Record<string, Record<string, unknown>> = {
        PUT: { credentials: { clientSecret: 'secret-1234' } },
        PATCH: { propertyName: 'x' },
        POST: { reason: 'r' },
      };
      const res = method === 'GET' || method === 'DELETE' ? await req : await req.send(bodies[method]);
      expectEnvelope(res, 400, { error: 'validation_failed', path: 'path.id' });
      await expectNothingWrittenBy(t, res.body.requestId);
    });

    it('an unknown route is a 404 envelope', async () => {
      expectEnvelope(
        await t
          .http()
          .get('/v1/nope')
          .set(...bearer(viewer)),
        404,
      );
    });
  });

  describe('list query', () => {
    const list = (query: Record<string, string>) =>
      t
        .http()
        .get('/v1/installations')
        .query(query)
        .set(...bearer(viewer));

    it('huge, zero and non-numeric page sizes are 400 naming limit', async () => {
      for (const limit of ['101', '1000000', '0', 'ten', '-5', '']) {
        expectEnvelope(await list({ limit }), 400, { path: 'limit' });
      }
    });

    it('bad cursors are 400: wrong characters, too long, decodes to garbage', async () => {
      expectEnvelope(await list({ cursor: 'not a cursor!' }), 400, { path: 'cursor' });
      expectEnvelope(await list({ cursor: 'A'.repeat(201) }), 400, { path: 'cursor' });
      const garbage = Buffer.from('yesterday|not-a-uuid', 'utf8').toString('base64url');
      expectEnvelope(await list({ cursor: garbage }), 400, { path: 'query.cursor' });
      const extra = Buffer.from(`2026-01-01T00:00:00.000Z|${randomUUID()}|x`, 'utf8').toString('base64url');
      expectEnvelope(await list({ cursor: extra }), 400, { path: 'query.cursor' });
      // Decodes, but to a timestamp the API never issues (PostgreSQL would refuse some: never a 500).
      for (const ts of [
        '1',
        '2026-02-30T00:00:00.000000Z',
        '+275760-09-13T00:00:00.000Z',
        '-000001-01-01T00:00:00Z',
        '0000-01-01T00:00:00.000000Z',
        '2026-01-01T24:00:00.000000Z',
        'Tue, 01 Jan 2026 00:00:00 GMT',
        '2026-01-01',
      ]) {
        const forged = Buffer.from(`${ts}|${randomUUID()}`, 'utf8').toString('base64url');
        expectEnvelope(await list({ cursor: forged }), 400, { path: 'query.cursor' });
      }
      // A cursor in the issued shape is accepted (control).
      const good = Buffer.from(`2026-01-01T00:00:00.000001Z|${randomUUID()}`, 'utf8').toString('base64url');
      expect((await list({ cursor: good })).status).toBe(200);
    });

    it('NUL characters in query filters are a 400 naming the parameter, not a 500', async () => {
      expectEnvelope(await list({ q: 'a\u0000b' }), 400, { path: 'q' });
      expectEnvelope(await list({ propertyId: 'a\u0000b' }), 400, { path: 'propertyId' });
    });

    it('bad filter values and unknown parameters are 400 naming them', async () => {
      expectEnvelope(await list({ vendor: 'nope' }), 400, { path: 'vendor' });
      expectEnvelope(await list({ status: 'exploded' }), 400, { path: 'status' });
      expectEnvelope(await list({ environment: 'staging' }), 400, { path: 'environment' });
      expectEnvelope(await list({ q: 'q'.repeat(101) }), 400, { path: 'q' });
      expectEnvelope(await list({ propertyId: 'p'.repeat(65) }), 400, { path: 'propertyId' });
      expectEnvelope(await list({ sort: 'name' }), 400, { path: 'sort' });
    });

    it('repeated scalar parameters are a 400, not a 500', async () => {
      const res = await t
        .http()
        .get('/v1/installations?vendor=parkwhiz&vendor=spothero')
        .set(...bearer(viewer));
      expectEnvelope(res, 400, { path: 'vendor' });
      const limits = await t
        .http()
        .get('/v1/installations?limit=1&limit=2')
        .set(...bearer(viewer));
      expectEnvelope(limits, 400, { path: 'limit' });
    });
  });
});
