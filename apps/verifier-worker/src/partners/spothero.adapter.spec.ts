import { RunningPartnerSandbox, startPartnerSandbox } from '../../../../test/partner-sandbox';
import type { AuthSuccess, PartnerAdapterInput } from './partner-adapter';
import { SafeHttpClient } from './safe-http-client';
import { SpotHeroAdapter } from './spothero.adapter';

const KEY = { key: 'sh-canary-key-5d10', label: 'acme-spothero' };
const FACILITY_PATH = '/partner/v1/facilities/{facilityId}/';

let sandbox: RunningPartnerSandbox;
let http: SafeHttpClient;
let adapter: SpotHeroAdapter;

function input(overrides: Partial<PartnerAdapterInput> = {}, config: Record<string, unknown> = {}): PartnerAdapterInput {
  return {
    baseUrl: `${sandbox.url}/api`,
    paths: { facility: FACILITY_PATH },
    config: { apiVersion: '2016-05-27', facilityIds: ['2001'], ...config },
    secrets: { partnerKey: KEY.key },
    timeoutMs: 2000,
    allowedHosts: ['spothero.com'],
    probe: { path: FACILITY_PATH, confirmed: true },
    ...overrides,
  };
}

async function authenticated(source = input()): Promise<AuthSuccess> {
  const outcome = await adapter.authenticate(source);
  if (!outcome.ok) throw new Error(`authentication failed: ${outcome.detail}`);
  return outcome;
}

beforeAll(async () => {
  sandbox = await startPartnerSandbox({ spotheroKeys: [KEY], facilityIds: ['2001', '2002'] });
  http = new SafeHttpClient({ extraAllowedHosts: [`127.0.0.1:${sandbox.port}`] });
  adapter = new SpotHeroAdapter(http);
});
afterAll(async () => {
  await http.close();
  await sandbox.close();
});
beforeEach(() => sandbox.server.reset());

describe('SpotHeroAdapter.authenticate', () => {
  it('reports unsupported without any call when the probe is not confirmed', async () => {
    const outcome = await adapter.authenticate(input({ probe: { path: FACILITY_PATH, confirmed: false } }));
    expect(outcome).toMatchObject({
      ok: false,
      failureClass: 'unsupported',
      reason: 'probe_unconfirmed',
      httpStatus: null,
      probe: { method: 'GET', host: `127.0.0.1:${sandbox.port}`, path: '/api/partner/v1/facilities/{facilityId}/' },
    });
    expect(sandbox.server.callCount()).toBe(0);
  });

  it('treats a template without a probe as unconfirmed', async () => {
    expect(await adapter.authenticate(input({ probe: undefined }))).toMatchObject({ ok: false, failureClass: 'unsupported' });
    expect(sandbox.server.callCount()).toBe(0);
  });

  it('accepts a key the probe accepts and the same probe refuses anonymously', async () => {
    const outcome = await authenticated();
    expect(outcome).toMatchObject({ httpStatus: 200, probe: { path: '/api/partner/v1/facilities/2001/' } });
    expect(outcome.detail).toBe('partner key accepted by the probe; anonymous call refused with 401');
    expect(sandbox.server.callCount({ credential: KEY.label })).toBe(1);
    expect(sandbox.server.callCount({ credential: 'unknown' })).toBe(1);
  });

  it('skips the anonymous control call when configured to', async () => {
    const trusting = new SpotHeroAdapter(http, { requireAnonymousRejection: false });
    expect((await trusting.authenticate(input())).ok).toBe(true);
    expect(sandbox.server.callCount()).toBe(1);
  });

  it('never counts a probe that answers without credentials as proof', async () => {
    sandbox.server.setFault('unknown', { kind: 'status', status: 200 });
    const outcome = await adapter.authenticate(input());
    expect(outcome).toMatchObject({ ok: false, failureClass: 'unsupported', reason: 'probe_accepts_anonymous', httpStatus: 200 });
  });

  it('classifies a bad key as invalid_credentials with the envelope code', async () => {
    const outcome = await adapter.authenticate(input({ secrets: { partnerKey: 'not-the-key' } }));
    expect(outcome).toMatchObject({
      ok: false,
      failureClass: 'invalid_credentials',
      httpStatus: 401,
      detail: 'probe answered 401 not_authenticated',
    });
    expect(JSON.stringify(outcome)).not.toContain('not-the-key');
  });

  it.each([
    [
      { kind: 'status', status: 429, retryAfterSeconds: 12 },
      { failureClass: 'throttled', retryAfterSeconds: 12 },
    ],
    [
      { kind: 'status', status: 502 },
      { failureClass: 'vendor_error', httpStatus: 502 },
    ],
    [{ kind: 'html' }, { failureClass: 'contract', reason: 'not_json' }],
    [{ kind: 'huge_body' }, { failureClass: 'contract', reason: 'response_too_large' }],
    [{ kind: 'redirect' }, { failureClass: 'network', reason: 'redirect_refused' }],
    [{ kind: 'hang' }, { failureClass: 'network', reason: 'timeout' }],
  ] as const)('classifies fault %j as %j', async (fault, expected) => {
    sandbox.server.setFault(KEY.key, fault);
    // A short timeout only where the sandbox hangs: on a loaded CI machine a real answer can take longer.
    const timeoutMs = fault.kind === 'hang' ? 300 : 2000;
    expect(await adapter.authenticate(input({ timeoutMs }))).toMatchObject({ ok: false, ...expected });
  });

  it('refuses an internal probe host as network/address_not_allowed', async () => {
    const outcome = await adapter.authenticate(input({ baseUrl: 'http://[::ffff:127.0.0.1]/api', allowedHosts: ['[::ffff:127.0.0.1]'] }));
    expect(outcome).toMatchObject({ ok: false, failureClass: 'network', reason: 'address_not_allowed' });
  });
});

describe('SpotHeroAdapter.initialSync', () => {
  it('reads every configured facility', async () => {
    const source = input({}, { facilityIds: [2001, 2002] });
    expect(await adapter.initialSync(source, await authenticated(source))).toMatchObject({ ok: true, found: ['2001', '2002'] });
  });

  it('names a facility the partner does not have', async () => {
    const source = input({}, { facilityIds: ['2001', '9'] });
    const auth = await authenticated(source);
    expect(await adapter.initialSync(source, auth)).toMatchObject({
      ok: false,
      failureClass: 'contract',
      reason: 'resource_not_found',
      detail: 'facility 9 not found',
      missing: ['9'],
    });
  });

  it('reports unsupported when no facility is configured, without calling', async () => {
    const auth = await authenticated();
    const before = sandbox.server.callCount();
    const outcome = await adapter.initialSync(input({}, { facilityIds: [] }), auth);
    expect(outcome).toMatchObject({ ok: false, failureClass: 'unsupported', reason: 'nothing_to_sync' });
    expect(sandbox.server.callCount()).toBe(before);
  });

  it('refuses the trailing-slash redirect of a mistyped facility path', async () => {
    const source = input({ paths: { facility: '/partner/v1/facilities/{facilityId}' } });
    const outcome = await adapter.initialSync(source, await authenticated(source));
    expect(outcome).toMatchObject({ ok: false, failureClass: 'network', reason: 'redirect_refused', httpStatus: 301 });
  });
});
