import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { RunningPartnerSandbox, startPartnerSandbox } from '../../../../test/partner-sandbox';
import { OutboundNetworkError, OutboundRefusedError, OutboundTimeoutError, ResponseTooLargeError } from './outbound-errors';
import { OutboundRequest, SafeHttpClient } from './safe-http-client';

const CLIENT = { clientId: 'client-1', clientSecret: 'canary-secret-6c1f' };
const tokenBody = `grant_type=client_credentials&client_id=${CLIENT.clientId}&client_secret=${CLIENT.clientSecret}&scope=partner`;

let sandbox: RunningPartnerSandbox;
let sandboxClient: SafeHttpClient; // PARTNER_HOST_ALLOWLIST = the sandbox
let strictClient: SafeHttpClient; // no extra allow-list: production posture

function tokenRequest(base: string, overrides: Partial<OutboundRequest> = {}): OutboundRequest {
  return {
    method: 'POST',
    url: `${base}/v4/oauth/token`,
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: 'Bearer canary-token-91ab' },
    body: tokenBody,
    allowedHosts: ['api.parkwhiz.com'],
    timeoutMs: 2000,
    ...overrides,
  };
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  return promise.then(
    () => {
      throw new Error('expected the call to fail');
    },
    (error: Error) => error,
  );
}

function expectNoSecrets(error: Error): void {
  for (const secret of [CLIENT.clientSecret, 'canary-token-91ab']) expect(`${error.message} ${error.stack ?? ''}`).not.toContain(secret);
}

beforeAll(async () => {
  sandbox = await startPartnerSandbox({ parkwhizClients: [CLIENT], locationIds: ['1'] });
  sandboxClient = new SafeHttpClient({ extraAllowedHosts: [`127.0.0.1:${sandbox.port}`] });
  strictClient = new SafeHttpClient();
});
afterAll(async () => {
  await Promise.all([sandboxClient.close(), strictClient.close()]);
  await sandbox.close();
});
beforeEach(() => sandbox.server.reset());

describe('SafeHttpClient against an allow-listed sandbox', () => {
  it('reaches the sandbox on loopback and parses JSON', async () => {
    const res = await sandboxClient.request(tokenRequest(sandbox.url));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ kind: 'json', value: expect.objectContaining({ token_type: 'Bearer' }) });
    expect(res.target).toEqual({ method: 'POST', host: `127.0.0.1:${sandbox.port}`, path: '/v4/oauth/token' });
    expect(res.latencyMs).toBeGreaterThanOrEqual(0);
  });

  it('does not let a bare-host entry open other ports on that host', async () => {
    const client = new SafeHttpClient({ extraAllowedHosts: ['127.0.0.1'] });
    const error = await rejection(client.request(tokenRequest(sandbox.url)));
    await client.close();
    expect(error).toBeInstanceOf(OutboundRefusedError);
    expect((error as OutboundRefusedError).reason).toBe('host_not_allowed');
  });

  it('reports a redirect to the metadata address as refused, naming only its host', async () => {
    sandbox.server.setFault(CLIENT.clientId, { kind: 'redirect' });
    const error = await rejection(sandboxClient.request(tokenRequest(sandbox.url)));
    expect(error).toBeInstanceOf(OutboundRefusedError);
    expect(error).toMatchObject({ reason: 'redirect_refused', httpStatus: 302 });
    expect(error.message).toContain('169.254.169.254');
    expect(error.message).not.toContain('security-credentials');
    expectNoSecrets(error);
  });

  it('does not follow a same-host redirect either', async () => {
    const url = `${sandbox.url}/api/partner/v1/facilities/1`;
    const error = await rejection(sandboxClient.request({ method: 'GET', url, allowedHosts: [], timeoutMs: 2000 }));
    expect(error).toMatchObject({ reason: 'redirect_refused', httpStatus: 301 });
  });

  it('cuts off a 10 MB body at the cap instead of buffering it', async () => {
    sandbox.server.setFault(CLIENT.clientId, { kind: 'huge_body' });
    const error = await rejection(sandboxClient.request(tokenRequest(sandbox.url)));
    expect(error).toBeInstanceOf(ResponseTooLargeError);
    expect(error).toMatchObject({ limitBytes: 1024 * 1024, httpStatus: 200 });
  });

  it('gives up on a partner that never answers after the hard timeout', async () => {
    sandbox.server.setFault(CLIENT.clientId, { kind: 'hang' });
    const started = Date.now();
    const error = await rejection(sandboxClient.request(tokenRequest(sandbox.url, { timeoutMs: 300 })));
    expect(error).toBeInstanceOf(OutboundTimeoutError);
    expect(Date.now() - started).toBeLessThan(2000);
    expectNoSecrets(error);
  });

  it('reports malformed JSON and HTML as parse results, not exceptions', async () => {
    sandbox.server.setFault(CLIENT.clientId, { kind: 'malformed_json' });
    expect((await sandboxClient.request(tokenRequest(sandbox.url))).body).toEqual({
      kind: 'invalid_json',
      contentType: 'application/json',
    });
    sandbox.server.setFault(CLIENT.clientId, { kind: 'html' });
    expect((await sandboxClient.request(tokenRequest(sandbox.url))).body).toEqual({ kind: 'not_json', contentType: 'text/html' });
  });

  it('types a refused connection as a network failure', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const client = new SafeHttpClient({ extraAllowedHosts: [`127.0.0.1:${port}`] });
    const error = await rejection(client.request(tokenRequest(`http://127.0.0.1:${port}`)));
    await client.close();
    expect(error).toBeInstanceOf(OutboundNetworkError);
    expect(error).toMatchObject({ kind: 'connect', code: 'ECONNREFUSED' });
  });

  it('refuses non-http schemes and URLs carrying credentials', async () => {
    await expect(sandboxClient.request(tokenRequest('file:///etc'))).rejects.toMatchObject({ reason: 'scheme_not_allowed' });
    const withUser = `http://user:pw@127.0.0.1:${sandbox.port}`;
    await expect(sandboxClient.request(tokenRequest(withUser))).rejects.toMatchObject({ reason: 'host_not_allowed' });
  });
});

describe('SSRF: every spelling of an internal address is refused unless PARTNER_HOST_ALLOWLIST names it', () => {
  const spellings = [
    '127.0.0.1',
    'localhost',
    '2130706433',
    '0x7f000001',
    '0177.0.0.1',
    '[::1]',
    '[::ffff:127.0.0.1]',
    '0.0.0.0',
    '169.254.169.254',
  ];

  it.each(spellings)('%s not in any allow-list → host_not_allowed', async (host) => {
    const error = await rejection(
      strictClient.request(tokenRequest(`http://${host}:${sandbox.port}`, { allowedHosts: ['api.parkwhiz.com'] })),
    );
    expect(error).toBeInstanceOf(OutboundRefusedError);
    expect((error as OutboundRefusedError).reason).toBe('host_not_allowed');
    expectNoSecrets(error);
    expect(sandbox.server.callCount()).toBe(0);
  });

  it.each(spellings)('%s in a template allow-list → address_not_allowed at connect time', async (host) => {
    const base = `http://${host}:${sandbox.port}`;
    const error = await rejection(strictClient.request(tokenRequest(base, { allowedHosts: [new URL(base).host] })));
    expect(error).toBeInstanceOf(OutboundRefusedError);
    expect((error as OutboundRefusedError).reason).toBe('address_not_allowed');
    expectNoSecrets(error);
    expect(sandbox.server.callCount()).toBe(0);
  });

  it('checks the resolved address: a public-looking name that resolves inside is refused', async () => {
    const rebinding = new SafeHttpClient({ lookup: async () => ['93.184.215.14', '127.0.0.1'] });
    const base = `http://partner.example.test:${sandbox.port}`;
    const error = await rejection(rebinding.request(tokenRequest(base, { allowedHosts: [new URL(base).host] })));
    await rebinding.close();
    expect(error).toMatchObject({ reason: 'address_not_allowed' });
    expect(error.message).toContain('127.0.0.1');
    expect(sandbox.server.callCount()).toBe(0);
  });
});
