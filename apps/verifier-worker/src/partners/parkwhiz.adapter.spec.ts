import { inspect } from 'node:util';
import { request } from 'undici';
import { RunningPartnerSandbox, startPartnerSandbox } from '../../../../test/partner-sandbox';
import { AdapterInputError } from './adapter-input';
import type { AuthOutcome, AuthSuccess, PartnerAdapterInput, PartnerFailure } from './partner-adapter';
import { ParkWhizAdapter } from './parkwhiz.adapter';
import { SafeHttpClient } from './safe-http-client';

const CLIENT = { clientId: 'pw-client', clientSecret: 'pw-canary-secret-4e2d' };
const NARROW = { clientId: 'pw-narrow', clientSecret: 'pw-canary-secret-77aa', grantedScope: 'public' };

let sandbox: RunningPartnerSandbox;
let http: SafeHttpClient;
let adapter: ParkWhizAdapter;

function input(overrides: Partial<PartnerAdapterInput> = {}, config: Record<string, unknown> = {}): PartnerAdapterInput {
  return {
    baseUrl: `${sandbox.url}/v4`,
    paths: {},
    config: { clientId: CLIENT.clientId, scope: 'partner', locationIds: ['1001', '1002'], ...config },
    secrets: { clientSecret: CLIENT.clientSecret },
    timeoutMs: 2000,
    allowedHosts: ['api-sandbox.parkwhiz.com'],
    ...overrides,
  };
}

function expectFailure(outcome: AuthOutcome, expected: Partial<PartnerFailure>): PartnerFailure {
  expect(outcome).toMatchObject({ ok: false, ...expected });
  if (outcome.ok) throw new Error('expected a failure');
  expect(outcome.detail).not.toContain(CLIENT.clientSecret);
  return outcome;
}

async function authenticated(source = input()): Promise<AuthSuccess> {
  const outcome = await adapter.authenticate(source);
  if (!outcome.ok) throw new Error(`authentication failed: ${outcome.detail}`);
  return outcome;
}

beforeAll(async () => {
  sandbox = await startPartnerSandbox({ parkwhizClients: [CLIENT, NARROW], locationIds: ['1001', '1002'] });
  http = new SafeHttpClient({ extraAllowedHosts: [`127.0.0.1:${sandbox.port}`] });
  adapter = new ParkWhizAdapter(http);
});
afterAll(async () => {
  await http.close();
  await sandbox.close();
});
beforeEach(() => sandbox.server.reset());

describe('ParkWhizAdapter.authenticate', () => {
  it('mints a token with client credentials in the form body and records the probe', async () => {
    const outcome = await authenticated();
    expect(outcome).toMatchObject({
      grantedScope: 'partner',
      httpStatus: 200,
      probe: { method: 'POST', host: `127.0.0.1:${sandbox.port}`, path: '/v4/oauth/token' },
    });
    expect(outcome.latencyMs).toBeGreaterThanOrEqual(0);
    expect(outcome.session.expiresAt?.getTime()).toBeGreaterThan(Date.now() + 360 * 24 * 3600 * 1000);
    expect(sandbox.server.callCount({ route: 'parkwhiz.token', credential: CLIENT.clientId })).toBe(1);
  });

  it('keeps the access token out of serialised and inspected outcomes', async () => {
    const outcome = await authenticated();
    const token = outcome.session.authorizationHeaders().authorization.replace('Bearer ', '');
    expect(token).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(outcome)).not.toContain(token);
    expect(inspect(outcome, { depth: 5 })).not.toContain(token);
  });

  it('classifies a wrong secret as invalid_credentials (401 invalid_client)', async () => {
    const outcome = await adapter.authenticate(input({ secrets: { clientSecret: 'wrong' } }));
    expectFailure(outcome, { failureClass: 'invalid_credentials', httpStatus: 401, detail: 'token endpoint answered 401 invalid_client' });
  });

  it('would be refused had it sent HTTP Basic: the sandbox answers Basic with 401 invalid_client', async () => {
    const basic = Buffer.from(`${CLIENT.clientId}:${CLIENT.clientSecret}`).toString('base64');
    const res = await request(`${sandbox.url}/v4/oauth/token`, {
      method: 'POST',
      headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials&scope=partner',
    });
    expect(res.statusCode).toBe(401);
    expect(await res.body.json()).toMatchObject({ error: 'invalid_client' });
    // ...while the adapter's own call with the same credentials succeeds.
    expect((await adapter.authenticate(input())).ok).toBe(true);
  });

  it('classifies an unknown scope (400 invalid_scope) as invalid_credentials', async () => {
    const outcome = await adapter.authenticate(input({}, { scope: 'admin' }));
    expectFailure(outcome, { failureClass: 'invalid_credentials', httpStatus: 400, detail: 'token endpoint answered 400 invalid_scope' });
  });

  it('classifies a narrower granted scope as forbidden', async () => {
    const narrow = input({ secrets: { clientSecret: NARROW.clientSecret } }, { clientId: NARROW.clientId });
    const outcome = await adapter.authenticate(narrow);
    expectFailure(outcome, { failureClass: 'forbidden', reason: 'scope_narrowed', httpStatus: 200 });
    expect(outcome.ok || outcome.detail).toBe('requested scope "partner" but was granted "public"');
  });

  it('classifies 429 as throttled and carries Retry-After', async () => {
    sandbox.server.setFault(CLIENT.clientId, { kind: 'status', status: 429, retryAfterSeconds: 7 });
    expectFailure(await adapter.authenticate(input()), { failureClass: 'throttled', httpStatus: 429, retryAfterSeconds: 7 });
  });

  it('classifies 5xx as vendor_error and recovers once the partner does', async () => {
    sandbox.server.setFault(CLIENT.clientId, { kind: 'status', status: 503, failFirst: 1 });
    expectFailure(await adapter.authenticate(input()), { failureClass: 'vendor_error', reason: 'vendor_unavailable', httpStatus: 503 });
    expect((await adapter.authenticate(input())).ok).toBe(true);
  });

  it('classifies a hang as a network timeout within the configured limit', async () => {
    sandbox.server.setFault(CLIENT.clientId, { kind: 'hang' });
    const started = Date.now();
    expectFailure(await adapter.authenticate(input({ timeoutMs: 250 })), { failureClass: 'network', reason: 'timeout', httpStatus: null });
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it.each([
    ['malformed_json', 'malformed_json'],
    ['html', 'not_json'],
    ['huge_body', 'response_too_large'],
  ] as const)('classifies a %s answer as contract (%s)', async (kind, reason) => {
    sandbox.server.setFault(CLIENT.clientId, { kind });
    expectFailure(await adapter.authenticate(input()), { failureClass: 'contract', reason, httpStatus: 200 });
  });

  it('refuses the redirect to the metadata address as network/redirect_refused', async () => {
    sandbox.server.setFault(CLIENT.clientId, { kind: 'redirect' });
    const outcome = expectFailure(await adapter.authenticate(input()), {
      failureClass: 'network',
      reason: 'redirect_refused',
      httpStatus: 302,
    });
    expect(outcome.detail).toContain('169.254.169.254');
  });

  it.each([
    ['a host outside the allow-lists', 'host_not_allowed', 'http://169.254.169.254/v4', []],
    ['an allow-listed host on an internal address', 'address_not_allowed', 'http://169.254.169.254/v4', ['169.254.169.254']],
    ['an allow-listed decimal loopback', 'address_not_allowed', 'http://2130706433:4010/v4', ['2130706433:4010']],
  ] as const)('refuses %s as network/%s without calling', async (_, reason, baseUrl, allowedHosts) => {
    const outcome = await adapter.authenticate(input({ baseUrl, allowedHosts }));
    expectFailure(outcome, { failureClass: 'network', reason, httpStatus: null });
    expect(sandbox.server.callCount()).toBe(0);
  });

  it('throws AdapterInputError naming a missing field, not a value', async () => {
    await expect(adapter.authenticate(input({ secrets: {} }))).rejects.toThrow(new AdapterInputError('secret "clientSecret" is missing'));
  });
});

describe('ParkWhizAdapter.initialSync', () => {
  it('succeeds when every configured location is found', async () => {
    const source = input();
    const outcome = await adapter.initialSync(source, await authenticated(source));
    expect(outcome).toMatchObject({
      ok: true,
      found: ['1001', '1002'],
      httpStatus: 200,
      probe: { method: 'GET', path: '/v4/locations/1002' },
    });
    expect(sandbox.server.callCount({ route: 'parkwhiz.location', credential: CLIENT.clientId })).toBe(2);
  });

  it('names every missing location precisely', async () => {
    const source = input({}, { locationIds: '1001, 123' });
    const outcome = await adapter.initialSync(source, await authenticated(source));
    expect(outcome).toMatchObject({
      ok: false,
      failureClass: 'contract',
      reason: 'resource_not_found',
      detail: 'location 123 not found',
      found: ['1001'],
      missing: ['123'],
      httpStatus: 404,
    });
  });

  it('stops at the first non-404 failure and classifies it', async () => {
    const source = input();
    const auth = await authenticated(source);
    sandbox.server.setFault(CLIENT.clientId, { kind: 'status', status: 500, routes: ['parkwhiz.location'] });
    const outcome = await adapter.initialSync(source, auth);
    expect(outcome).toMatchObject({
      ok: false,
      failureClass: 'vendor_error',
      detail: 'location 1001 answered 500 sandbox_injected_fault',
      found: [],
      missing: [],
    });
    expect(sandbox.server.callCount({ route: 'parkwhiz.location' })).toBe(1);
  });

  it('reports a token the partner no longer accepts as invalid_credentials', async () => {
    const source = input();
    const auth = await authenticated(source);
    sandbox.server.reset(); // forgets issued tokens
    expect(await adapter.initialSync(source, auth)).toMatchObject({ ok: false, failureClass: 'invalid_credentials', httpStatus: 401 });
  });

  it('reads bookings when no location is configured', async () => {
    const source = input({}, { locationIds: [] });
    const outcome = await adapter.initialSync(source, await authenticated(source));
    expect(outcome).toMatchObject({ ok: true, found: [], probe: { path: '/v4/bookings' }, detail: 'bookings readable' });
    expect(sandbox.server.callCount({ route: 'parkwhiz.bookings' })).toBe(1);
  });
});
