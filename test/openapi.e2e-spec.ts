import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startTestApp, type TestApp } from './support/test-app';

interface Operation {
  security?: Record<string, string[]>[];
  responses: Record<string, { description?: string; content?: Record<string, { schema?: Record<string, unknown> }> }>;
  requestBody?: { content?: Record<string, { schema?: Record<string, unknown> }> };
  parameters?: { name: string; in: string; schema?: Record<string, unknown> }[];
  operationId?: string;
  summary?: string;
}
type Document = {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, unknown>; securitySchemes: Record<string, { type: string; scheme?: string }> };
  security?: Record<string, string[]>[];
};

const METHODS = ['get', 'post', 'put', 'patch', 'delete'];
const PUBLIC_PATHS = ['/health/live', '/health/ready'];

/** Issue 2 item 7: the served document covers every route, with schemas, errors and auth; the committed copy is current. */
describe('OpenAPI document', () => {
  let t: TestApp;
  let doc: Document;

  beforeAll(async () => {
    t = await startTestApp();
    const res = await t.http().get('/docs-json');
    expect(res.status).toBe(200);
    doc = res.body;
  });
  afterAll(async () => t.close());

  /** The routes the HTTP router actually serves (method + OpenAPI-style path), minus the docs themselves. */
  function servedRoutes(): string[] {
    const routes = new Set<string>();
    for (const route of t.routes) {
      const [method, url] = route.split(' ');
      // HEAD (Fastify adds one per GET) and OPTIONS are not documented operations.
      if (!METHODS.includes(method.toLowerCase())) continue;
      const path = url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
      if (path === '/docs' || path.startsWith('/docs/') || path.startsWith('/docs-')) continue;
      routes.add(`${method} ${path}`);
    }
    return [...routes].sort();
  }

  const documented = (): string[] =>
    Object.entries(doc.paths)
      .flatMap(([path, item]) =>
        Object.keys(item)
          .filter((m) => METHODS.includes(m))
          .map((m) => `${m.toUpperCase()} ${path}`),
      )
      .sort();

  const operations = (): [string, string, Operation][] =>
    Object.entries(doc.paths).flatMap(([path, item]) =>
      Object.entries(item)
        .filter(([m]) => METHODS.includes(m))
        .map(([m, op]) => [m, path, op] as [string, string, Operation]),
    );

  it('is OpenAPI 3 with a bearer JWT scheme and the ErrorEnvelope schema', () => {
    expect(doc.openapi).toMatch(/^3\./);
    expect(doc.components.securitySchemes.bearer).toEqual(expect.objectContaining({ type: 'http', scheme: 'bearer' }));
    expect(doc.components.schemas.ErrorEnvelopeDto).toBeDefined();
  });

  it('documents every route the app serves, and only those', () => {
    const served = servedRoutes();
    expect(served).toEqual(
      expect.arrayContaining([
        'GET /v1/vendors',
        'GET /v1/vendors/{vendor}',
        'POST /v1/installations',
        'GET /v1/installations',
        'GET /v1/installations/{id}',
        'PATCH /v1/installations/{id}',
        'DELETE /v1/installations/{id}',
        'PUT /v1/installations/{id}/credentials',
        'GET /v1/installations/{id}/credentials',
        'POST /v1/installations/{id}/credentials/reveal',
        'GET /health/live',
        'GET /health/ready',
      ]),
    );
    expect(documented()).toEqual(served);
  });

  it('every operation has an id, a summary and a success response', () => {
    const ids = new Set<string>();
    for (const [method, path, op] of operations()) {
      const where = `${method.toUpperCase()} ${path}`;
      expect({ where, operationId: typeof op.operationId }).toEqual({ where, operationId: 'string' });
      expect(ids.has(op.operationId!)).toBe(false);
      ids.add(op.operationId!);
      expect({ where, summary: typeof op.summary }).toEqual({ where, summary: 'string' });
      expect({ where, success: Object.keys(op.responses).some((s) => /^2\d\d$/.test(s)) }).toEqual({ where, success: true });
    }
  });

  it('protected operations declare bearer auth and the enveloped 400/401/403/500 (and 404 with a path id); only the probes are public', () => {
    const problems: string[] = [];
    for (const [method, path, op] of operations()) {
      const where = `${method.toUpperCase()} ${path}`;
      const security = op.security ?? doc.security;
      if (PUBLIC_PATHS.includes(path)) {
        if (JSON.stringify(security) !== '[]') problems.push(`${where}: public probe should declare security: []`);
        continue;
      }
      if (JSON.stringify(security) !== JSON.stringify([{ bearer: [] }]))
        problems.push(`${where}: security is ${JSON.stringify(security)}, not bearer`);
      const required = ['400', '401', '403', '500', ...(path.includes('{id}') ? ['404'] : [])];
      for (const status of required) {
        const response = op.responses[status];
        if (!response) {
          problems.push(`${where}: no ${status} response`);
          continue;
        }
        const schema = response.content?.['application/json']?.schema;
        if (JSON.stringify(schema) !== JSON.stringify({ $ref: '#/components/schemas/ErrorEnvelopeDto' })) {
          problems.push(
            `${where}: ${status} is not an application/json ErrorEnvelopeDto (content types: ${Object.keys(response.content ?? {}).join(', ') || 'none'})`,
          );
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('request bodies and parameters carry schemas', () => {
    const op = (method: string, path: string) => doc.paths[path][method];
    for (const [method, path] of [
      ['post', '/v1/installations'],
      ['patch', '/v1/installations/{id}'],
      ['put', '/v1/installations/{id}/credentials'],
      ['post', '/v1/installations/{id}/credentials/reveal'],
    ]) {
      const schema = op(method, path).requestBody?.content?.['application/json']?.schema;
      expect({ method, path, schema: schema !== undefined }).toEqual({ method, path, schema: true });
    }
    const id = op('get', '/v1/installations/{id}').parameters?.find((p) => p.name === 'id');
    expect(id).toEqual(expect.objectContaining({ in: 'path', schema: expect.objectContaining({ format: 'uuid' }) }));
    const headers = (op('patch', '/v1/installations/{id}').parameters ?? []).filter((p) => p.in === 'header').map((p) => p.name);
    expect(headers).toEqual(expect.arrayContaining(['If-Match', 'X-Change-Reason']));
    expect(op('patch', '/v1/installations/{id}').responses['412']).toBeDefined();
    expect(op('patch', '/v1/installations/{id}').responses['428']).toBeDefined();
    expect(op('post', '/v1/installations').responses['409']).toBeDefined();
    expect(op('post', '/v1/installations').responses['422']).toBeDefined();
    const listParams = (op('get', '/v1/installations').parameters ?? []).map((p) => p.name);
    expect(listParams).toEqual(expect.arrayContaining(['vendor', 'status', 'environment', 'propertyId', 'q', 'limit', 'cursor']));
    const limit = op('get', '/v1/installations').parameters!.find((p) => p.name === 'limit')!;
    expect(limit.schema).toEqual(expect.objectContaining({ maximum: 100, minimum: 1 }));
  });

  it('the committed openapi.json equals the served document', () => {
    const file = join(__dirname, '..', 'openapi.json');
    if (!existsSync(file)) throw new Error('openapi.json is missing at the repository root: run `npm run openapi:export` and commit it');
    const committed = JSON.parse(readFileSync(file, 'utf8')) as unknown;
    const stale = JSON.stringify(committed) !== JSON.stringify(doc);
    if (stale) {
      const committedOps = new Set(
        Object.entries((committed as Document).paths ?? {}).flatMap(([p, i]) => Object.keys(i).map((m) => `${m.toUpperCase()} ${p}`)),
      );
      const servedOps = documented();
      const missing = servedOps.filter((o) => !committedOps.has(o));
      const extra = [...committedOps].filter((o) => !servedOps.includes(o));
      throw new Error(
        `openapi.json is stale: run \`npm run openapi:export\` and commit it.` +
          (missing.length ? `\n  not in openapi.json: ${missing.join(', ')}` : '') +
          (extra.length ? `\n  only in openapi.json: ${extra.join(', ')}` : ''),
      );
    }
    expect(committed).toEqual(doc);
  });
});
