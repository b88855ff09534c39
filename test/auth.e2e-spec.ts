import jwt from 'jsonwebtoken';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { generateKeyPairSync, randomUUID, type KeyObject } from 'node:crypto';
import { DEV_JWT_SECRET, loadEnvironment } from '../libs/common/src';
import { bearer, expectEnvelope, expectNothingWrittenBy, newRequestId } from './support/http-assertions';
import { parkwhizInstallation, startTestApp, tokenFor, type TestApp } from './support/test-app';

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** The claims a valid token carries, for hand-crafted tokens. */
function claims(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const env = loadEnvironment();
  const now = Math.floor(Date.now() / 1000);
  return { sub: 'mallory', roles: ['admin'], iss: env.JWT_ISSUER, aud: env.JWT_AUDIENCE, iat: now, exp: now + 600, ...overrides };
}

function rsaKeys(): { privateKey: KeyObject; publicKey: KeyObject } {
  return generateKeyPairSync('rsa', { modulusLength: 2048 });
}

/** Issue 2 item 6: bearer JWT, pinned algorithms, issuer/audience/exp required, roles, deny by default. */
describe('authentication and roles (HS256 mode)', () => {
  let t: TestApp;
  const env = loadEnvironment();
  const secret = env.JWT_SECRET ?? DEV_JWT_SECRET;

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => t.close());

  const listWith = (authorization?: string) => {
    const req = t.http().get('/v1/installations');
    return authorization === undefined ? req : req.set('Authorization', authorization);
  };

  async function expect401(authorization: string | undefined, messagePart?: RegExp): Promise<void> {
    const res = await listWith(authorization);
    expectEnvelope(res, 401, { error: 'unauthenticated' });
    expect(res.headers['cache-control']).toBe('no-store');
    if (messagePart) expect(res.body.message).toMatch(messagePart);
  }

  it('a valid token is accepted (control)', async () => {
    const res = await listWith(`Bearer ${tokenFor(['viewer'])}`);
    expect(res.status).toBe(200);
  });

  it('a token accepted before (now served from the verified-token cache) is still held to each route role; a copy with another signature is refused', async () => {
    const viewer = tokenFor(['viewer']);
    expect((await listWith(`Bearer ${viewer}`)).status).toBe(200);
    expect((await listWith(`Bearer ${viewer}`)).status).toBe(200);
    const write = await t.http().post('/v1/installations').set('Authorization', `Bearer ${viewer}`).send(parkwhizInstallation());
    expectEnvelope(write, 403, { error: 'forbidden' });
    const tampered = `${viewer.slice(0, -4)}${viewer.endsWith('AAAA') ? 'BBBB' : 'AAAA'}`;
    await expect401(`Bearer ${tampered}`, /invalid signature/);
  });

  it('no token: 401', async () => expect401(undefined));
  it('an empty bearer: 401', async () => expect401('Bearer '));
  it('a non-bearer scheme: 401', async () => expect401(`Basic ${Buffer.from('admin:admin').toString('base64')}`));
  it('a token in the query string is not accepted: 401', async () => {
    const res = await t
      .http()
      .get('/v1/installations')
      .query({ access_token: tokenFor(['viewer']) });
    expect(res.status).toBe(401);
  });
  it('a malformed token: 401', async () => expect401('Bearer not.a.jwt'));
  it('garbage segments: 401', async () => expect401(`Bearer ${b64url({ alg: 'HS256' })}.${b64url(claims())}`));

  it('expired (beyond the 30 s clock tolerance): 401', async () => {
    await expect401(`Bearer ${tokenFor(['admin'], 'late', {}, { expiresIn: -120 })}`, /expired/);
  });

  it('no exp: 401', async () => {
    const token = jwt.sign({ roles: ['admin'] }, secret, {
      algorithm: 'HS256',
      subject: 'forever',
      issuer: env.JWT_ISSUER,
      audience: env.JWT_AUDIENCE,
    });
    expect((jwt.decode(token) as Record<string, unknown>).exp).toBeUndefined();
    await expect401(`Bearer ${token}`, /exp/);
  });

  it('not yet valid (nbf in the future): 401', async () => {
    await expect401(`Bearer ${tokenFor(['admin'], 'early', {}, { notBefore: 3600 })}`);
  });

  it('wrong issuer: 401', async () =>
    expect401(`Bearer ${tokenFor(['admin'], 'x', {}, { issuer: 'https://evil.example.com' })}`, /issuer/));
  it('wrong audience: 401', async () => expect401(`Bearer ${tokenFor(['admin'], 'x', {}, { audience: 'some-other-api' })}`, /audience/));
  it('no issuer: 401', async () => {
    const token = jwt.sign({ roles: ['admin'] }, secret, { algorithm: 'HS256', subject: 'x', audience: env.JWT_AUDIENCE, expiresIn: 600 });
    await expect401(`Bearer ${token}`);
  });
  it('no audience: 401', async () => {
    const token = jwt.sign({ roles: ['admin'] }, secret, { algorithm: 'HS256', subject: 'x', issuer: env.JWT_ISSUER, expiresIn: 600 });
    await expect401(`Bearer ${token}`);
  });

  it('forged (signed with another secret): 401', async () => {
    const token = jwt.sign(claims(), `${secret}-but-not-really-the-same`, { algorithm: 'HS256' });
    await expect401(`Bearer ${token}`, /signature/);
  });

  it('a tampered payload (roles escalated after signing): 401', async () => {
    const [header, , signature] = tokenFor(['viewer'], 'eve').split('.');
    await expect401(`Bearer ${header}.${b64url(claims({ sub: 'eve', roles: ['admin'] }))}.${signature}`);
  });

  it('alg none (unsigned): 401', async () => {
    await expect401(`Bearer ${b64url({ alg: 'none', typ: 'JWT' })}.${b64url(claims())}.`);
    await expect401(`Bearer ${b64url({ alg: 'None', typ: 'JWT' })}.${b64url(claims())}.`);
    await expect401(`Bearer ${b64url({ alg: 'none', typ: 'JWT' })}.${b64url(claims())}`);
  });

  it('algorithm confusion: an RS256 token (own key) against an HS256 server: 401', async () => {
    const { privateKey } = rsaKeys();
    await expect401(`Bearer ${jwt.sign(claims(), privateKey, { algorithm: 'RS256' })}`);
  });

  it('another HMAC algorithm with the right secret (HS512) is refused: algorithms are pinned', async () => {
    await expect401(`Bearer ${jwt.sign(claims(), secret, { algorithm: 'HS512' })}`);
  });

  it('a token without sub: 401', async () => {
    const token = jwt.sign({ roles: ['admin'] }, secret, {
      algorithm: 'HS256',
      issuer: env.JWT_ISSUER,
      audience: env.JWT_AUDIENCE,
      expiresIn: 600,
    });
    await expect401(`Bearer ${token}`, /sub/);
    const empty = jwt.sign({ roles: ['admin'], sub: '' }, secret, {
      algorithm: 'HS256',
      issuer: env.JWT_ISSUER,
      audience: env.JWT_AUDIENCE,
      expiresIn: 600,
    });
    await expect401(`Bearer ${empty}`);
  });

  it('a failed authentication on a write route writes nothing', async () => {
    const requestId = newRequestId('unauth-write');
    const body = parkwhizInstallation();
    const res = await t
      .http()
      .post('/v1/installations')
      .set('Authorization', `Bearer ${tokenFor(['admin'], 'x', {}, { issuer: 'evil' })}`)
      .set('X-Request-Id', requestId)
      .send(body);
    expectEnvelope(res, 401, { requestId });
    await expectNothingWrittenBy(t, requestId);
    const [row] = await t.dataSource.query('SELECT count(*)::int AS n FROM installations WHERE property_id = $1', [body.propertyId]);
    expect(row.n).toBe(0);
  });

  describe('public and protected routes', () => {
    it('health probes and the docs are public', async () => {
      const live = await t.http().get('/health/live');
      expect(live.status).toBe(200);
      const ready = await t.http().get('/health/ready');
      expect([200, 503]).toContain(ready.status);
      if (ready.status === 503) expectEnvelope(ready, 503);
      const docs = await t.http().get('/docs-json');
      expect(docs.status).toBe(200);
      expect(docs.body.openapi).toMatch(/^3\./);
      const ui = await t.http().get('/docs');
      expect(ui.status).toBe(200);
      expect(ui.text).toMatch(/swagger/i);
    });

    it('every /v1 operation in the OpenAPI document answers 401 without a token, and 401 with a bad one', async () => {
      const doc = (await t.http().get('/docs-json')).body as { paths: Record<string, Record<string, { security?: unknown[] }>> };
      const operations: [string, string][] = [];
      for (const [path, item] of Object.entries(doc.paths)) {
        if (!path.startsWith('/v1/')) continue;
        for (const [method, op] of Object.entries(item)) {
          if (!['get', 'post', 'put', 'patch', 'delete'].includes(method)) continue;
          // A route is public only when marked so; no /v1 route is.
          expect({ path, method, security: op.security }).not.toEqual({ path, method, security: [] });
          operations.push([method, path.replace(/\{[^}]+\}/g, (p) => (p === '{vendor}' ? 'parkwhiz' : randomUUID()))]);
        }
      }
      expect(operations.length).toBeGreaterThanOrEqual(10);
      for (const [method, url] of operations) {
        for (const authorization of [undefined, 'Bearer nope', `Bearer ${tokenFor(['admin'], 'x', {}, { expiresIn: -3600 })}`]) {
          let req = t.http()[method as 'get'](url).set('If-Match', '"1"');
          if (authorization) req = req.set('Authorization', authorization);
          const res = await req.send(method === 'get' || method === 'delete' ? undefined : {});
          if (res.status !== 401)
            throw new Error(`${method.toUpperCase()} ${url} with ${authorization ?? 'no token'} answered ${res.status}`);
          expectEnvelope(res, 401);
        }
      }
    });
  });

  describe('role matrix', () => {
    const roles = ['viewer', 'engineer', 'auditor', 'admin'] as const;
    type Who = (typeof roles)[number] | 'none' | 'unknown';
    const tokenOf = (who: Who) =>
      tokenFor(who === 'none' ? [] : who === 'unknown' ? ['superuser', 'root'] : [who], `${who}-${randomUUID().slice(0, 6)}`);

    async function seeded(): Promise<{ id: string; version: number }> {
      const res = await t
        .http()
        .post('/v1/installations')
        .set(...bearer(tokenFor(['engineer'])))
        .send(parkwhizInstallation({ credentials: { clientSecret: 'matrix-secret-0001' } }));
      expect(res.status).toBe(201);
      // Make the credential active so that reveal has something to reveal.
      await t.dataSource.query(`UPDATE credential_versions SET state = 'active', verified_at = now() WHERE installation_id = $1`, [
        res.body.id,
      ]);
      return { id: res.body.id, version: res.body.version };
    }

    type Call = {
      name: string;
      allowed: Who[];
      run: (token: string, target: { id: string; version: number }, requestId: string) => Promise<import('supertest').Response>;
    };
    const readers: Who[] = ['viewer', 'engineer', 'auditor', 'admin'];
    const writers: Who[] = ['engineer', 'admin'];
    const calls: Call[] = [
      {
        name: 'GET /v1/vendors',
        allowed: readers,
        run: (tk, _x, rid) =>
          t
            .http()
            .get('/v1/vendors')
            .set(...bearer(tk))
            .set('X-Request-Id', rid),
      },
      {
        name: 'GET /v1/vendors/parkwhiz',
        allowed: readers,
        run: (tk, _x, rid) =>
          t
            .http()
            .get('/v1/vendors/parkwhiz')
            .set(...bearer(tk))
            .set('X-Request-Id', rid),
      },
      {
        name: 'GET /v1/installations',
        allowed: readers,
        run: (tk, _x, rid) =>
          t
            .http()
            .get('/v1/installations')
            .set(...bearer(tk))
            .set('X-Request-Id', rid),
      },
      {
        name: 'GET /v1/installations/:id',
        allowed: readers,
        run: (tk, x, rid) =>
          t
            .http()
            .get(`/v1/installations/${x.id}`)
            .set(...bearer(tk))
            .set('X-Request-Id', rid),
      },
      {
        name: 'GET /v1/installations/:id/credentials',
        allowed: readers,
        run: (tk, x, rid) =>
          t
            .http()
            .get(`/v1/installations/${x.id}/credentials`)
            .set(...bearer(tk))
            .set('X-Request-Id', rid),
      },
      {
        name: 'POST /v1/installations',
        allowed: writers,
        run: (tk, _x, rid) =>
          t
            .http()
            .post('/v1/installations')
            .set(...bearer(tk))
            .set('X-Request-Id', rid)
            .send(parkwhizInstallation()),
      },
      {
        name: 'PATCH /v1/installations/:id',
        allowed: writers,
        run: (tk, x, rid) =>
          t
            .http()
            .patch(`/v1/installations/${x.id}`)
            .set(...bearer(tk))
            .set('If-Match', `"${x.version}"`)
            .set('X-Request-Id', rid)
            .send({ ownerTeam: 'matrix' }),
      },
      {
        name: 'PUT /v1/installations/:id/credentials',
        allowed: writers,
        run: (tk, x, rid) =>
          t
            .http()
            .put(`/v1/installations/${x.id}/credentials`)
            .set(...bearer(tk))
            .set('X-Request-Id', rid)
            .send({ credentials: { clientSecret: 'matrix-secret-0002' } }),
      },
      {
        name: 'POST /v1/installations/:id/credentials/reveal',
        allowed: ['admin'],
        run: (tk, x, rid) =>
          t
            .http()
            .post(`/v1/installations/${x.id}/credentials/reveal`)
            .set(...bearer(tk))
            .set('X-Request-Id', rid)
            .send({ reason: 'role matrix test' }),
      },
      {
        name: 'DELETE /v1/installations/:id',
        allowed: writers,
        run: (tk, x, rid) =>
          t
            .http()
            .delete(`/v1/installations/${x.id}`)
            .set(...bearer(tk))
            .set('If-Match', `"${x.version}"`)
            .set('X-Request-Id', rid),
      },
    ];
    const everyone: Who[] = [...roles, 'none', 'unknown'];

    it.each(calls.map((c) => [c.name, c] as const))(
      '%s: allowed roles succeed, every other role gets 403 and writes nothing',
      async (_name, call) => {
        for (const who of everyone) {
          const target = await seeded();
          const requestId = newRequestId(`matrix-${who}`);
          const res = await call.run(tokenOf(who), target, requestId);
          if (call.allowed.includes(who)) {
            if (res.status < 200 || res.status >= 300)
              throw new Error(`${call.name} as ${who}: expected 2xx, got ${res.status} ${JSON.stringify(res.body)}`);
          } else {
            if (res.status !== 403) throw new Error(`${call.name} as ${who}: expected 403, got ${res.status} ${JSON.stringify(res.body)}`);
            expectEnvelope(res, 403, { error: 'forbidden', requestId });
            expect(res.headers['cache-control']).toBe('no-store');
            await expectNothingWrittenBy(t, requestId);
            const [row] = await t.dataSource.query('SELECT version, status FROM installations WHERE id = $1', [target.id]);
            expect(row.version).toBe(target.version);
            expect(JSON.stringify(res.body)).not.toContain('matrix-secret');
          }
        }
      },
    );

    it('viewers see secrets masked only; reveal returns plaintext to admins alone', async () => {
      const target = await seeded();
      for (const who of readers) {
        const res = await t
          .http()
          .get(`/v1/installations/${target.id}`)
          .set(...bearer(tokenOf(who)));
        expect(res.status).toBe(200);
        expect(res.body.activeCredential.fields.clientSecret.last4).toBe('0001');
        expect(JSON.stringify(res.body)).not.toContain('matrix-secret-0001');
      }
      const revealed = await t
        .http()
        .post(`/v1/installations/${target.id}/credentials/reveal`)
        .set(...bearer(tokenOf('admin')))
        .send({ reason: 'INC-1' });
      expect(revealed.status).toBe(200);
      expect(revealed.body.credentials).toEqual({ clientSecret: 'matrix-secret-0001' });
    });
  });
});

/** RS256 through JWT_JWKS_URI: a second app instance against a local JWKS endpoint. */
describe('authentication (RS256 via JWKS)', () => {
  let t: TestApp;
  let jwks: Server;
  const kid = `kid-${randomUUID().slice(0, 8)}`;
  const idp = rsaKeys();
  const saved = process.env.JWT_JWKS_URI;

  beforeAll(async () => {
    jwks = createServer((req, res) => {
      if (req.url !== '/.well-known/jwks.json') {
        res.writeHead(404).end();
        return;
      }
      const jwk = idp.publicKey.export({ format: 'jwk' });
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ keys: [{ ...jwk, kid, use: 'sig', alg: 'RS256' }] }));
    });
    await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve));
    process.env.JWT_JWKS_URI = `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/.well-known/jwks.json`;
    t = await startTestApp();
  });
  afterAll(async () => {
    await t?.close();
    await new Promise((resolve) => jwks.close(resolve));
    if (saved === undefined) delete process.env.JWT_JWKS_URI;
    else process.env.JWT_JWKS_URI = saved;
  });

  const list = (token: string) => t.http().get('/v1/installations').set('Authorization', `Bearer ${token}`);
  const signRs = (key: KeyObject, overrides: Record<string, unknown> = {}, header: Record<string, unknown> = { kid }) =>
    jwt.sign(claims({ roles: ['viewer'], ...overrides }), key, {
      algorithm: 'RS256',
      header: { alg: 'RS256', ...header } as jwt.JwtHeader,
    });

  it('accepts an RS256 token from the identity provider', async () => {
    const res = await list(signRs(idp.privateKey));
    expect(res.status).toBe(200);
  });

  it('refuses the development HS256 token once JWKS is configured (pinned to RS256)', async () => {
    expectEnvelope(await list(tokenFor(['admin'])), 401);
  });

  it('refuses an HS256 token signed with the public key as the HMAC secret (key confusion)', async () => {
    const pem = idp.publicKey.export({ format: 'pem', type: 'spki' }).toString();
    const header = b64url({ alg: 'HS256', typ: 'JWT', kid });
    const payload = b64url(claims());
    const { createHmac } = await import('node:crypto');
    const signature = createHmac('sha256', pem).update(`${header}.${payload}`).digest('base64url');
    expectEnvelope(await list(`${header}.${payload}.${signature}`), 401);
  });

  it('refuses a token signed by another RSA key with the same kid', async () => {
    expectEnvelope(await list(signRs(rsaKeys().privateKey)), 401);
  });

  it('refuses an unknown kid, alg none, wrong issuer/audience, expired and exp-less RS256 tokens', async () => {
    expectEnvelope(await list(signRs(idp.privateKey, {}, { kid: 'unknown-kid' })), 401);
    expectEnvelope(await list(`${b64url({ alg: 'none', kid })}.${b64url(claims())}.`), 401);
    expectEnvelope(await list(signRs(idp.privateKey, { iss: 'https://evil.example.com' })), 401);
    expectEnvelope(await list(signRs(idp.privateKey, { aud: 'other' })), 401);
    expectEnvelope(await list(signRs(idp.privateKey, { exp: Math.floor(Date.now() / 1000) - 3600 })), 401);
    const noExp = claims({ roles: ['viewer'] });
    delete noExp.exp;
    expectEnvelope(await list(jwt.sign(noExp, idp.privateKey, { algorithm: 'RS256', keyid: kid })), 401);
  });
});
