import { request } from 'undici';
import { RunningPartnerSandbox, SandboxLogEntry, startPartnerSandbox } from './index';

const CLIENT = { clientId: 'acme-client', clientSecret: 'acme-secret-0001' };
const NARROW = { clientId: 'narrow-client', clientSecret: 'narrow-secret-0002', grantedScope: 'public' };
const KEY = { key: 'sh-key-0003', label: 'acme-sh' };
const FORM = 'application/x-www-form-urlencoded';

let sandbox: RunningPartnerSandbox;
const logs: SandboxLogEntry[] = [];

async function call(path: string, init: { method?: 'GET' | 'POST'; headers?: Record<string, string>; body?: string } = {}) {
  const res = await request(`${sandbox.url}${path}`, { method: init.method ?? 'GET', headers: init.headers, body: init.body });
  const text = await res.body.text();
  const json = (): Record<string, unknown> => JSON.parse(text) as Record<string, unknown>;
  return { status: res.statusCode, headers: res.headers, text, json };
}

function tokenForm(overrides: Record<string, string> = {}): string {
  return new URLSearchParams({
    grant_type: 'client_credentials',
    client_id: CLIENT.clientId,
    client_secret: CLIENT.clientSecret,
    scope: 'partner',
    ...overrides,
  }).toString();
}

async function token(overrides: Record<string, string> = {}): Promise<string> {
  const res = await call('/v4/oauth/token', { method: 'POST', headers: { 'content-type': FORM }, body: tokenForm(overrides) });
  expect(res.status).toBe(200);
  return res.json().access_token as string;
}

beforeAll(async () => {
  sandbox = await startPartnerSandbox({
    parkwhizClients: [CLIENT, NARROW],
    spotheroKeys: [KEY],
    locationIds: ['1001'],
    facilityIds: ['2001'],
    log: (entry) => logs.push(entry),
  });
});
afterAll(() => sandbox.close());
beforeEach(() => sandbox.server.reset());

describe('ParkWhiz token endpoint', () => {
  it('issues a year-long Bearer token for form-encoded client credentials', async () => {
    const res = await call('/v4/oauth/token', { method: 'POST', headers: { 'content-type': FORM }, body: tokenForm() });
    expect(res.status).toBe(200);
    const body = res.json();
    expect(body.access_token).toMatch(/^[0-9a-f]{64}$/);
    expect(body).toMatchObject({ token_type: 'Bearer', expires_in: 31557600, scope: 'partner' });
    expect(Math.abs((body.created_at as number) - Date.now() / 1000)).toBeLessThan(5);
  });

  it('refuses HTTP Basic client authentication with 401 even when the body is also right', async () => {
    const basic = Buffer.from(`${CLIENT.clientId}:${CLIENT.clientSecret}`).toString('base64');
    const res = await call('/v4/oauth/token', {
      method: 'POST',
      headers: { 'content-type': FORM, authorization: `Basic ${basic}` },
      body: tokenForm(),
    });
    expect(res.status).toBe(401);
    expect(res.json().error).toBe('invalid_client');
  });

  it.each([
    ['a wrong secret', { client_secret: 'nope' }, 401, 'invalid_client'],
    ['an unknown client', { client_id: 'who' }, 401, 'invalid_client'],
    ['another grant type', { grant_type: 'password' }, 400, 'unsupported_grant_type'],
    ['an unknown scope', { scope: 'admin' }, 400, 'invalid_scope'],
  ])('answers %s with the OAuth error', async (_, overrides, status, error) => {
    const res = await call('/v4/oauth/token', { method: 'POST', headers: { 'content-type': FORM }, body: tokenForm(overrides) });
    expect(res.status).toBe(status);
    expect(res.json()).toEqual({ error, error_description: expect.any(String) });
  });

  it('refuses a JSON body: credentials must be form-encoded', async () => {
    const body = JSON.stringify({ grant_type: 'client_credentials', client_id: CLIENT.clientId, client_secret: CLIENT.clientSecret });
    const res = await call('/v4/oauth/token', { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect(res.status).toBe(400);
    expect(res.json().error).toBe('invalid_request');
  });

  it('grants the configured narrower scope', async () => {
    const body = tokenForm({ client_id: NARROW.clientId, client_secret: NARROW.clientSecret });
    const res = await call('/v4/oauth/token', { method: 'POST', headers: { 'content-type': FORM }, body });
    expect(res.json().scope).toBe('public');
  });
});

describe('ParkWhiz Bearer endpoints', () => {
  it('serves a known location as HAL-style JSON to a token it issued', async () => {
    const res = await call('/v4/locations/1001', { headers: { authorization: `Bearer ${await token()}` } });
    expect(res.status).toBe(200);
    expect(res.json()).toMatchObject({ id: 1001, _links: { self: { href: '/v4/locations/1001' } }, _embedded: expect.any(Object) });
  });

  it('answers 404 for an unknown location and 401 without or with a foreign token', async () => {
    const bearer = { authorization: `Bearer ${await token()}` };
    expect((await call('/v4/locations/999', { headers: bearer })).status).toBe(404);
    expect((await call('/v4/locations/1001')).status).toBe(401);
    expect((await call('/v4/locations/1001', { headers: { authorization: `Bearer ${'a'.repeat(64)}` } })).status).toBe(401);
  });

  it('lists bookings as a bare array for partner scope and refuses public scope', async () => {
    const partner = await call('/v4/bookings?per_page=1', { headers: { authorization: `Bearer ${await token()}` } });
    expect(partner.status).toBe(200);
    expect(JSON.parse(partner.text)).toHaveLength(1);
    const publicToken = await token({ scope: 'public' });
    expect((await call('/v4/bookings?per_page=1', { headers: { authorization: `Bearer ${publicToken}` } })).status).toBe(403);
  });
});

describe('SpotHero partner API', () => {
  const keyed = { authorization: `Token ${KEY.key}`, 'spothero-version': '2016-05-27' };

  it('serves a known facility in the data envelope', async () => {
    const res = await call('/api/partner/v1/facilities/2001/', { headers: keyed });
    expect(res.status).toBe(200);
    expect(res.json()).toMatchObject({ notifications: [], meta: {}, data: { id: 2001 } });
  });

  it('serves the current API facility read (the template default) with the same authentication', async () => {
    const ok = await call('/v2/facilities/2001', { headers: keyed });
    expect(ok.status).toBe(200);
    expect(ok.json()).toMatchObject({ data: { id: 2001 } });
    const anonymous = await call('/v2/facilities/2001', { headers: { 'spothero-version': '2016-05-27' } });
    expect(anonymous.status).toBe(401);
  });

  it.each([
    ['no key', { 'spothero-version': '2016-05-27' }, 401, 'not_authenticated'],
    ['a bad key', { authorization: 'Token wrong', 'spothero-version': '2016-05-27' }, 401, 'not_authenticated'],
    ['no version header', { authorization: `Token ${KEY.key}` }, 400, 'missing_version'],
  ])('answers %s with the error envelope', async (_, headers, status, code) => {
    const res = await call('/api/partner/v1/facilities/2001/', { headers });
    expect(res.status).toBe(status);
    expect(res.json()).toEqual({ notifications: [], meta: {}, data: { errors: [{ code, messages: [expect.any(String)] }] } });
  });

  it('answers 404 for an unknown facility and redirects a path without its trailing slash', async () => {
    expect((await call('/api/partner/v1/facilities/9/', { headers: keyed })).status).toBe(404);
    const res = await call('/api/partner/v1/facilities/2001', { headers: keyed });
    expect(res.status).toBe(301);
    expect(res.headers.location).toBe('/api/partner/v1/facilities/2001/');
  });
});

describe('failure injection', () => {
  it('throttles with Retry-After for the faulted client only', async () => {
    sandbox.server.setFault(CLIENT.clientId, { kind: 'status', status: 429, retryAfterSeconds: 7 });
    const res = await call('/v4/oauth/token', { method: 'POST', headers: { 'content-type': FORM }, body: tokenForm() });
    expect(res.status).toBe(429);
    expect(res.headers['retry-after']).toBe('7');
    const other = tokenForm({ client_id: NARROW.clientId, client_secret: NARROW.clientSecret });
    expect((await call('/v4/oauth/token', { method: 'POST', headers: { 'content-type': FORM }, body: other })).status).toBe(200);
  });

  it('fails the first N calls and then recovers', async () => {
    sandbox.server.setFault(KEY.label, { kind: 'status', status: 503, failFirst: 2 });
    const statuses: number[] = [];
    for (let i = 0; i < 3; i += 1) {
      statuses.push(
        (await call('/api/partner/v1/facilities/2001/', { headers: { authorization: `Token ${KEY.key}`, 'spothero-version': 'x' } }))
          .status,
      );
    }
    expect(statuses).toEqual([503, 503, 200]);
  });

  it('limits a fault to the routes named, and delays by latencyMs', async () => {
    sandbox.server.setFault('*', { kind: 'status', status: 500, routes: ['parkwhiz.location'], latencyMs: 150 });
    const started = Date.now();
    const bearer = { authorization: `Bearer ${await token()}` }; // token route is not faulted: 200
    expect((await call('/v4/locations/1001', { headers: bearer })).status).toBe(500);
    expect(Date.now() - started).toBeGreaterThanOrEqual(150);
  });

  it('serves malformed JSON, HTML and a metadata redirect on demand', async () => {
    const post = () => call('/v4/oauth/token', { method: 'POST', headers: { 'content-type': FORM }, body: tokenForm() });
    sandbox.server.setFault(CLIENT.clientId, { kind: 'malformed_json' });
    const malformed = await post();
    expect(() => JSON.parse(malformed.text)).toThrow(SyntaxError);
    sandbox.server.setFault(CLIENT.clientId, { kind: 'html' });
    expect((await post()).headers['content-type']).toMatch(/^text\/html/);
    sandbox.server.setFault(CLIENT.clientId, { kind: 'redirect' });
    const redirect = await post();
    expect(redirect.status).toBe(302);
    expect(redirect.headers.location).toMatch(/^http:\/\/169\.254\.169\.254\//);
  });

  it('streams a huge body of the configured size', async () => {
    sandbox.server.setFault(CLIENT.clientId, { kind: 'huge_body', bodyBytes: 3 * 1024 * 1024 });
    const res = await call('/v4/oauth/token', { method: 'POST', headers: { 'content-type': FORM }, body: tokenForm() });
    expect(res.text.length).toBeGreaterThan(3 * 1024 * 1024);
  });
});

describe('admin endpoints and call counts', () => {
  it('changes behaviour, counts calls per route and credential, and resets', async () => {
    const config = await call('/__sandbox/config', {
      method: 'POST',
      body: JSON.stringify({ faults: { [CLIENT.clientId]: { kind: 'status', status: 502 } } }),
    });
    expect(config.status).toBe(200);
    expect(config.text).not.toContain(CLIENT.clientSecret);
    await call('/v4/oauth/token', { method: 'POST', headers: { 'content-type': FORM }, body: tokenForm() });
    await call('/api/partner/v1/facilities/2001/', { headers: { authorization: `Token ${KEY.key}`, 'spothero-version': 'x' } });
    const calls = (await call('/__sandbox/calls')).json();
    expect(calls).toMatchObject({
      total: 2,
      byRoute: { 'parkwhiz.token': 1, 'spothero.facility': 1 },
      byCredential: { [CLIENT.clientId]: 1, [KEY.label]: 1 },
      byRouteAndCredential: { [`parkwhiz.token ${CLIENT.clientId}`]: 1 },
    });
    expect(JSON.stringify(calls)).not.toContain(KEY.key);
    expect((await call('/__sandbox/reset', { method: 'POST' })).status).toBe(204);
    expect(sandbox.server.callCount()).toBe(0);
    expect((await call('/v4/oauth/token', { method: 'POST', headers: { 'content-type': FORM }, body: tokenForm() })).status).toBe(200);
  });

  it('rejects an invalid config without echoing what was sent', async () => {
    const res = await call('/__sandbox/config', { method: 'POST', body: JSON.stringify({ faults: { [KEY.key]: { kind: 'explode' } } }) });
    expect(res.status).toBe(400);
    expect(res.text).not.toContain(KEY.key);
  });

  it('never logs a secret, key or token', async () => {
    const issued = await token();
    await call('/v4/locations/1001', { headers: { authorization: `Bearer ${issued}` } });
    await call('/api/partner/v1/facilities/2001/', { headers: { authorization: `Token ${KEY.key}`, 'spothero-version': 'x' } });
    await new Promise((resolve) => setImmediate(resolve));
    const logged = JSON.stringify(logs);
    expect(logs.length).toBeGreaterThanOrEqual(3);
    for (const secret of [CLIENT.clientSecret, KEY.key, issued]) expect(logged).not.toContain(secret);
  });
});

describe('lifecycle', () => {
  it('closes while a request hangs', async () => {
    const own = await startPartnerSandbox({ parkwhizClients: [CLIENT], faults: { '*': { kind: 'hang' } } });
    const pending = request(`${own.url}/v4/locations/1`).catch((error: unknown) => error);
    await new Promise((resolve) => setTimeout(resolve, 50));
    await expect(own.close()).resolves.toBeUndefined();
    expect(await pending).toBeInstanceOf(Error);
  });
});
