import { randomUUID } from 'node:crypto';
import { getVendorTemplate } from '../libs/common/src';

const PARKWHIZ_TEMPLATE = getVendorTemplate('parkwhiz');
const SPOTHERO_TEMPLATE = getVendorTemplate('spothero');
import {
  bearer,
  countInstallationsWithProperty,
  expectEnvelope,
  expectNothingWrittenBy,
  newRequestId,
  writesOf,
  type JsonBody,
} from './support/http-assertions';
import { parkwhizInstallation, spotheroInstallation, startTestApp, tokenFor, type TestApp } from './support/test-app';

/** Issue 2, "Must be true" 3 and 4: templates, create/get/list/patch/decommission, externalKey, Idempotency-Key. */
describe('installations', () => {
  let t: TestApp;
  const engineer = tokenFor(['engineer'], 'eng-installations');
  const viewer = tokenFor(['viewer'], 'viewer-installations');

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => t.close());

  const create = (body: Record<string, unknown>, token = engineer) =>
    t
      .http()
      .post('/v1/installations')
      .set(...bearer(token))
      .send(body);
  const get = (id: string) =>
    t
      .http()
      .get(`/v1/installations/${id}`)
      .set(...bearer(viewer));
  const list = (query: Record<string, string | number>) =>
    t
      .http()
      .get('/v1/installations')
      .query(query)
      .set(...bearer(viewer));

  async function createOk(body: Record<string, unknown>): Promise<JsonBody> {
    const res = await create(body);
    if (res.status !== 201) throw new Error(`create failed ${res.status}: ${JSON.stringify(res.body)}`);
    return res.body;
  }

  it('creates, reads and lists an installation with masked credentials', async () => {
    const created = await create(parkwhizInstallation({ credentials: { clientSecret: 'pw-secret-canary-0001' } }));
    expect(created.status).toBe(201);
    expect(created.body.status).toBe('pending_verification');
    expect(created.body.pendingCredential.fields.clientSecret.last4).toBe('0001');
    expect(JSON.stringify(created.body)).not.toContain('pw-secret-canary-0001');
    const read = await get(created.body.id);
    expect(read.status).toBe(200);
    expect(read.body.externalKey).toBe(created.body.externalKey);
  });

  describe('vendor templates', () => {
    it('lists both templates with form schema, endpoints, data flows, rubric and rotation policy', async () => {
      const res = await t
        .http()
        .get('/v1/vendors')
        .set(...bearer(viewer));
      expect(res.status).toBe(200);
      expect(res.body.map((v: { vendor: string }) => v.vendor).sort()).toEqual(['parkwhiz', 'spothero']);
      for (const template of res.body) {
        expect(template.configFields.length).toBeGreaterThan(0);
        for (const field of [...template.configFields, ...template.credentialFields]) {
          expect(field).toEqual(
            expect.objectContaining({
              name: expect.any(String),
              type: expect.any(String),
              title: expect.any(String),
              description: expect.any(String),
              secret: expect.any(Boolean),
              docLink: expect.stringMatching(/^https:\/\//),
            }),
          );
          expect(field.example).toBeDefined();
        }
        expect(template.credentialFields.every((f: { secret: boolean }) => f.secret)).toBe(true);
        expect(template.defaultEndpoints.sandbox.baseUrl).toMatch(/^https:\/\//);
        expect(template.defaultEndpoints.production.baseUrl).toMatch(/^https:\/\//);
        expect(template.dataFlows.length).toBeGreaterThan(0);
        expect(template.documentationRubric).toBeDefined();
        expect(template.rotationPolicy.maxCredentialAgeDays).toBeGreaterThan(0);
      }
    });

    it('returns one template by name', async () => {
      const res = await t
        .http()
        .get('/v1/vendors/parkwhiz')
        .set(...bearer(viewer));
      expect(res.status).toBe(200);
      expect(res.body.vendor).toBe('parkwhiz');
      expect(res.body.defaultEndpoints.production.baseUrl).toBe('https://api.parkwhiz.com/v4');
    });
  });

  describe('create', () => {
    it('201 with template defaults: endpoints for the environment, pre-filled data flows, partner API version; audit + outbox in the same request', async () => {
      const requestId = newRequestId('create');
      const body = parkwhizInstallation();
      const res = await create(body).set('X-Request-Id', requestId);
      expect(res.status).toBe(201);
      expect(res.headers['x-request-id']).toBe(requestId);
      expect(res.headers.etag).toBe(`"${res.body.version}"`);
      expect(res.body).toEqual(
        expect.objectContaining({
          id: expect.stringMatching(/^[0-9a-f-]{36}$/),
          vendor: 'parkwhiz',
          environment: 'sandbox',
          propertyId: body.propertyId,
          propertyName: body.propertyName,
          externalKey: `parkwhiz:${body.propertyId as string}:sandbox`,
          config: body.config,
          ownerTeam: 'parking-integrations',
          status: 'draft',
          activeCredential: null,
          pendingCredential: null,
          createdBy: 'eng-installations',
        }),
      );
      expect(res.body.endpoints).toEqual(PARKWHIZ_TEMPLATE.defaultEndpoints.sandbox);
      expect(res.body.versions).toEqual({ pms: '7.4.2', adapter: '2.1.0', partnerApi: 'v4' });
      expect(res.body.documentation.dataFlows).toEqual(PARKWHIZ_TEMPLATE.dataFlows);
      expect(res.body.documentation.dataFlows.length).toBeGreaterThan(0);
      expect(Number.isInteger(res.body.version)).toBe(true);

      const [row] = await t.dataSource.query('SELECT status, external_key FROM installations WHERE id = $1', [res.body.id]);
      expect(row).toEqual({ status: 'draft', external_key: res.body.externalKey });
      const audit = await t.dataSource.query('SELECT action, target_id, actor_id FROM audit_events WHERE request_id = $1', [requestId]);
      expect(audit).toEqual([{ action: 'installation.created', target_id: res.body.id, actor_id: 'eng-installations' }]);
      const outbox = await t.dataSource.query(`SELECT routing_key FROM outbox_events WHERE payload->>'installationId' = $1`, [res.body.id]);
      expect(outbox.map((o: { routing_key: string }) => o.routing_key)).toEqual(['installation.created.v1']);
    });

    it('spothero defaults come from its own template and environment', async () => {
      const created = await createOk(spotheroInstallation({ environment: 'production' }));
      expect(created.endpoints).toEqual(SPOTHERO_TEMPLATE.defaultEndpoints.production);
      expect(created.versions.partnerApi).toBe(SPOTHERO_TEMPLATE.partnerApiVersion);
      expect(created.documentation.dataFlows).toEqual(SPOTHERO_TEMPLATE.dataFlows);
    });

    it('stores and returns endpoints, versions, installedAt/installedBy, ownerTeam and documentation as given', async () => {
      const documentation = {
        runbookUrl: 'https://wiki.example.com/runbooks/garage-12',
        escalationContact: 'oncall@example.com',
        partnerContact: 'partner-success@arrive.com',
        rotationProcedure: 'Rotate yearly',
        parcsVendor: 'FlashParking',
        notes: 'Gate validation by plate',
        dataFlows: [
          {
            name: 'Only flow',
            direction: 'partner_to_pms',
            data: ['booking id'],
            personalData: false,
            trigger: 'pull',
            frequency: 'hourly',
            processing: 'stored',
          },
        ],
      };
      const body = parkwhizInstallation({
        endpoints: { baseUrl: 'https://api.sandbox.parkwhiz.com/v4', paths: { token: '/oauth/token' } },
        versions: { pms: '8.0.0', adapter: '3.0.1', partnerApi: 'v4.1' },
        installedAt: '2026-11-02T14:00:00Z',
        installedBy: 'alice@example.com',
        ownerTeam: 'team-x',
        documentation,
      });
      const created = await createOk(body);
      const read = await get(created.id);
      expect(read.status).toBe(200);
      for (const view of [created, read.body]) {
        expect(view.endpoints).toEqual(body.endpoints);
        expect(view.versions).toEqual(body.versions);
        expect(view.installedAt).toBe('2026-11-02T14:00:00.000Z');
        expect(view.installedBy).toBe('alice@example.com');
        expect(view.ownerTeam).toBe('team-x');
        expect(view.documentation).toEqual(documentation);
      }
    });

    it('a duplicate externalKey (vendor + propertyId + environment) is 409 and writes nothing', async () => {
      const body = parkwhizInstallation();
      await createOk(body);
      const requestId = newRequestId('dup');
      const again = await create({ ...body, propertyName: 'Another name' }).set('X-Request-Id', requestId);
      expectEnvelope(again, 409, { error: 'conflict', requestId });
      expect(again.body.message).toContain(`parkwhiz:${body.propertyId as string}:sandbox`);
      expect(await countInstallationsWithProperty(t, body.propertyId as string)).toBe(1);
      await expectNothingWrittenBy(t, requestId);
      // Same property in the other environment is a different record.
      const production = await create({ ...body, environment: 'production' });
      expect(production.status).toBe(201);
      expect(await countInstallationsWithProperty(t, body.propertyId as string)).toBe(2);
    });
  });

  describe('get', () => {
    it('200 with ETag equal to the version', async () => {
      const created = await createOk(parkwhizInstallation());
      const res = await get(created.id);
      expect(res.status).toBe(200);
      expect(res.headers.etag).toBe(`"${created.version}"`);
      expect(res.body).toEqual(created);
    });

    it('404 envelope for an unknown id', async () => {
      const res = await get(randomUUID());
      expectEnvelope(res, 404, { error: 'not_found' });
    });
  });

  describe('list', () => {
    it('filters by vendor, status, environment, propertyId and text in the property name', async () => {
      const marker = `mk${randomUUID().slice(0, 8)}`;
      const pwSandbox = await createOk(parkwhizInstallation({ propertyName: `North ${marker} garage` }));
      const pwProduction = await createOk(
        parkwhizInstallation({ environment: 'production', propertyName: `South ${marker.toUpperCase()} garage` }),
      );
      const shSandbox = await createOk(
        spotheroInstallation({ propertyName: `Lot ${marker}`, credentials: { partnerKey: 'sh-partner-key-1234' } }),
      );
      const unrelated = await createOk(parkwhizInstallation({ propertyName: 'Unrelated garage' }));
      const ids = async (query: Record<string, string | number>): Promise<string[]> => {
        const res = await list({ limit: 100, ...query });
        expect(res.status).toBe(200);
        return res.body.items.map((i: { id: string }) => i.id).sort();
      };
      const sorted = (...xs: JsonBody[]): string[] => xs.map((x) => x.id as string).sort();

      // q is a case-insensitive substring match on propertyName.
      expect(await ids({ q: marker })).toEqual(sorted(pwSandbox, pwProduction, shSandbox));
      expect(await ids({ q: marker, vendor: 'spothero' })).toEqual(sorted(shSandbox));
      expect(await ids({ q: marker, vendor: 'parkwhiz' })).toEqual(sorted(pwSandbox, pwProduction));
      expect(await ids({ q: marker, environment: 'production' })).toEqual(sorted(pwProduction));
      expect(await ids({ q: marker, environment: 'sandbox' })).toEqual(sorted(pwSandbox, shSandbox));
      expect(await ids({ q: marker, status: 'pending_verification' })).toEqual(sorted(shSandbox));
      expect(await ids({ q: marker, status: 'draft' })).toEqual(sorted(pwSandbox, pwProduction));
      expect(await ids({ propertyId: pwSandbox.propertyId })).toEqual(sorted(pwSandbox));
      expect(await ids({ propertyId: unrelated.propertyId, q: marker })).toEqual([]);
      // LIKE wildcards in q are literal.
      expect(await ids({ q: `${marker}%` })).toEqual([]);
      expect(await ids({ q: `${marker.slice(0, 3)}_${marker.slice(4)}` })).toEqual([]);
      // Items are masked views.
      const res = await list({ q: marker, vendor: 'spothero' });
      expect(res.body.items[0].pendingCredential.fields.partnerKey.last4).toBe('1234');
      expect(JSON.stringify(res.body)).not.toContain('sh-partner-key-1234');
    });

    it('cursor pagination: stable order (createdAt desc, id desc), no duplicates, no gaps, unaffected by inserts between pages', async () => {
      const marker = `pg${randomUUID().slice(0, 8)}`;
      const created: string[] = [];
      for (let i = 0; i < 7; i++) created.push((await createOk(parkwhizInstallation({ propertyName: `Paged ${marker} #${i}` }))).id);

      const pages: JsonBody[][] = [];
      let cursor: string | null = null;
      let first = true;
      do {
        const res = await list({ q: marker, limit: 3, ...(cursor ? { cursor } : {}) });
        expect(res.status).toBe(200);
        pages.push(res.body.items);
        cursor = res.body.nextCursor;
        if (first) {
          // A newer installation arriving between pages must not shift later pages.
          await createOk(parkwhizInstallation({ propertyName: `Paged ${marker} late` }));
          first = false;
        }
        expect(pages.length).toBeLessThan(10);
      } while (cursor);

      expect(pages.map((p) => p.length)).toEqual([3, 3, 1]);
      const seen = pages.flat();
      const seenIds = seen.map((i) => i.id);
      expect(new Set(seenIds).size).toBe(7);
      expect([...seenIds].sort()).toEqual([...created].sort());
      // Newest first, ties by id descending.
      for (let i = 1; i < seen.length; i++) {
        const [a, b] = [seen[i - 1], seen[i]];
        const order = Date.parse(a.createdAt) - Date.parse(b.createdAt);
        expect(order >= 0).toBe(true);
        if (order === 0) expect(a.id > b.id).toBe(true);
      }
      // Same query again gives the same sequence (the late one now first).
      const all = await list({ q: marker, limit: 100 });
      expect(all.body.items.length).toBe(8);
      expect(all.body.items.slice(1).map((i: { id: string }) => i.id)).toEqual(seenIds);
      expect(all.body.nextCursor).toBeNull();
    });

    it('default page size is 25, maximum is 100; 101, 0, negative and non-numeric limits are 400 naming limit', async () => {
      const marker = `ps${randomUUID().slice(0, 8)}`;
      for (let i = 0; i < 26; i++) await createOk(spotheroInstallation({ propertyName: `Size ${marker} ${i}` }));
      const byDefault = await list({ q: marker });
      expect(byDefault.status).toBe(200);
      expect(byDefault.body.items).toHaveLength(25);
      expect(typeof byDefault.body.nextCursor).toBe('string');
      const rest = await list({ q: marker, cursor: byDefault.body.nextCursor });
      expect(rest.body.items).toHaveLength(1);
      expect(rest.body.nextCursor).toBeNull();

      const max = await list({ q: marker, limit: 100 });
      expect(max.status).toBe(200);
      expect(max.body.items).toHaveLength(26);
      for (const limit of ['101', '0', '-1', 'abc', '1e9', '99999999999999999999', '2.5']) {
        const res = await list({ limit });
        expectEnvelope(res, 400, { error: 'validation_failed', path: 'limit' });
      }
    });
  });

  describe('patch', () => {
    const patch = (id: string, body: Record<string, unknown>, ifMatch?: string) => {
      const req = t
        .http()
        .patch(`/v1/installations/${id}`)
        .set(...bearer(engineer));
      if (ifMatch !== undefined) req.set('If-Match', ifMatch);
      return req.send(body);
    };
    const rowOf = async (id: string) =>
      (await t.dataSource.query('SELECT to_jsonb(i) AS row FROM installations i WHERE id = $1', [id]))[0].row;

    it('with a matching If-Match: 200, version bumped, ETag, config merged, audit and event recorded', async () => {
      const created = await createOk(parkwhizInstallation());
      const requestId = newRequestId('patch');
      const res = await patch(
        created.id,
        { propertyName: 'Renamed', config: { scope: 'public' }, versions: { adapter: '2.2.0' }, documentation: { notes: 'hello' } },
        `"${created.version}"`,
      ).set('X-Request-Id', requestId);
      expect(res.status).toBe(200);
      expect(res.body.version).toBe(created.version + 1);
      expect(res.headers.etag).toBe(`"${created.version + 1}"`);
      expect(res.body.propertyName).toBe('Renamed');
      expect(res.body.config).toEqual({ ...created.config, scope: 'public' });
      expect(res.body.versions).toEqual({ ...created.versions, adapter: '2.2.0' });
      expect(res.body.documentation.notes).toBe('hello');
      expect(res.body.documentation.dataFlows).toEqual(created.documentation.dataFlows);
      const read = await get(created.id);
      expect(read.body).toEqual(res.body);
      const audit = await t.dataSource.query('SELECT action, changes FROM audit_events WHERE request_id = $1', [requestId]);
      expect(audit).toHaveLength(1);
      expect(audit[0].action).toBe('installation.updated');
      expect(audit[0].changes.map((c: { field: string }) => c.field)).toEqual(expect.arrayContaining(['propertyName']));
      expect((await writesOf(t, requestId)).outbox).toBe(1);
    });

    it('accepts If-Match as 3, "3" and W/"3"', async () => {
      const created = await createOk(parkwhizInstallation());
      let version = created.version as number;
      for (const format of [(v: number) => `${v}`, (v: number) => `"${v}"`, (v: number) => `W/"${v}"`]) {
        const res = await patch(created.id, { ownerTeam: `team-${version}` }, format(version));
        expect(res.status).toBe(200);
        expect(res.body.version).toBe(version + 1);
        version = res.body.version;
      }
    });

    it('a stale If-Match is 412 naming header.If-Match, and nothing changes', async () => {
      const created = await createOk(parkwhizInstallation());
      const first = await patch(created.id, { propertyName: 'First writer' }, `"${created.version}"`);
      expect(first.status).toBe(200);
      const before = await rowOf(created.id);
      const requestId = newRequestId('stale');
      const stale = await patch(created.id, { propertyName: 'Second writer' }, `"${created.version}"`).set('X-Request-Id', requestId);
      expectEnvelope(stale, 412, { error: 'precondition_failed', path: 'header.If-Match', requestId });
      expect(await rowOf(created.id)).toEqual(before);
      await expectNothingWrittenBy(t, requestId);
      expect((await get(created.id)).body.propertyName).toBe('First writer');
    });

    it('a missing If-Match is 428; a malformed one is 400; both change nothing', async () => {
      const created = await createOk(parkwhizInstallation());
      const before = await rowOf(created.id);
      const missing = await patch(created.id, { propertyName: 'x' });
      expectEnvelope(missing, 428, { error: 'precondition_required', path: 'header.If-Match' });
      const malformed = await patch(created.id, { propertyName: 'x' }, 'abc');
      expectEnvelope(malformed, 400, { path: 'header.If-Match' });
      expect(await rowOf(created.id)).toEqual(before);
      await expectNothingWrittenBy(t, missing.body.requestId);
      await expectNothingWrittenBy(t, malformed.body.requestId);
    });

    it('404 for an unknown id', async () => {
      expectEnvelope(await patch(randomUUID(), { propertyName: 'x' }, '"1"'), 404, { error: 'not_found' });
    });

    it('identity fields (vendor, environment, propertyId) cannot be patched: 400 naming the field', async () => {
      const created = await createOk(parkwhizInstallation());
      for (const field of ['vendor', 'environment', 'propertyId', 'externalKey', 'status', 'version']) {
        const res = await patch(created.id, { [field]: 'spothero' }, `"${created.version}"`);
        expectEnvelope(res, 400, { path: field });
      }
      expect((await get(created.id)).body.version).toBe(created.version);
    });

    it('an invalid config change is 400 naming the field and the stored config stays', async () => {
      const created = await createOk(parkwhizInstallation());
      const res = await patch(created.id, { config: { scope: 'everything', role: 'admin' } }, `"${created.version}"`);
      expectEnvelope(res, 400, { path: 'config.scope' });
      expect(res.body.details.map((d: { path: string }) => d.path)).toContain('config.role');
      const removeRequired = await patch(created.id, { config: { clientId: null } }, `"${created.version}"`);
      expectEnvelope(removeRequired, 400, { path: 'config.clientId' });
      expect((await get(created.id)).body.config).toEqual(created.config);
    });
  });

  describe('production changes need a reason', () => {
    it('PATCH without a reason is 400 naming header.X-Change-Reason; with the header or body reason it is 200 and the reason is audited', async () => {
      const created = await createOk(parkwhizInstallation({ environment: 'production' }));
      const noReason = await t
        .http()
        .patch(`/v1/installations/${created.id}`)
        .set(...bearer(engineer))
        .set('If-Match', `"${created.version}"`)
        .send({ ownerTeam: 'ops' });
      expectEnvelope(noReason, 400, { path: 'header.X-Change-Reason' });
      await expectNothingWrittenBy(t, noReason.body.requestId);
      const blank = await t
        .http()
        .patch(`/v1/installations/${created.id}`)
        .set(...bearer(engineer))
        .set('If-Match', `"${created.version}"`)
        .set('X-Change-Reason', '   ')
        .send({ ownerTeam: 'ops' });
      expectEnvelope(blank, 400, { path: 'header.X-Change-Reason' });
      expect((await get(created.id)).body.version).toBe(created.version);

      const requestId = newRequestId('reason');
      const withHeader = await t
        .http()
        .patch(`/v1/installations/${created.id}`)
        .set(...bearer(engineer))
        .set('If-Match', `"${created.version}"`)
        .set('X-Change-Reason', 'CHG-1234 team move')
        .set('X-Request-Id', requestId)
        .send({ ownerTeam: 'ops' });
      expect(withHeader.status).toBe(200);
      expect(withHeader.body.ownerTeam).toBe('ops');
      const [audit] = await t.dataSource.query('SELECT reason FROM audit_events WHERE request_id = $1', [requestId]);
      expect(audit.reason).toBe('CHG-1234 team move');

      const withBody = await t
        .http()
        .patch(`/v1/installations/${created.id}`)
        .set(...bearer(engineer))
        .set('If-Match', `"${withHeader.body.version}"`)
        .send({ ownerTeam: 'ops-2', reason: 'CHG-1235' });
      expect(withBody.status).toBe(200);
      expect(withBody.body.ownerTeam).toBe('ops-2');
    });

    it('sandbox installations need no reason', async () => {
      const created = await createOk(parkwhizInstallation());
      const res = await t
        .http()
        .patch(`/v1/installations/${created.id}`)
        .set(...bearer(engineer))
        .set('If-Match', `"${created.version}"`)
        .send({ ownerTeam: 'ops' });
      expect(res.status).toBe(200);
    });

    it('decommissioning production without a reason is 400; with one it is 200', async () => {
      const created = await createOk(spotheroInstallation({ environment: 'production' }));
      const del = () =>
        t
          .http()
          .delete(`/v1/installations/${created.id}`)
          .set(...bearer(engineer))
          .set('If-Match', `"${created.version}"`);
      expectEnvelope(await del(), 400, { path: 'header.X-Change-Reason' });
      expect((await get(created.id)).body.status).toBe('draft');
      const ok = await del().set('X-Change-Reason', 'property sold');
      expect(ok.status).toBe(200);
      expect(ok.body.status).toBe('decommissioned');
    });
  });

  describe('decommission', () => {
    const del = (id: string, ifMatch?: string) => {
      const req = t
        .http()
        .delete(`/v1/installations/${id}`)
        .set(...bearer(engineer));
      return ifMatch === undefined ? req : req.set('If-Match', ifMatch);
    };

    it('is soft: 200 decommissioned, GET still returns it, it is still listed; a second DELETE and a PATCH are 409', async () => {
      const created = await createOk(parkwhizInstallation());
      const requestId = newRequestId('decom');
      const res = await del(created.id, `"${created.version}"`).set('X-Request-Id', requestId);
      expect(res.status).toBe(200);
      expect(res.body.status).toBe('decommissioned');
      expect(res.body.milestones.decommissionedAt).toEqual(expect.any(String));
      expect(res.body.version).toBe(created.version + 1);
      const audit = await t.dataSource.query('SELECT action FROM audit_events WHERE request_id = $1', [requestId]);
      expect(audit).toEqual([{ action: 'installation.decommissioned' }]);

      const read = await get(created.id);
      expect(read.status).toBe(200);
      expect(read.body.status).toBe('decommissioned');
      expect(read.body.propertyName).toBe(created.propertyName);
      const listed = await list({ propertyId: created.propertyId, status: 'decommissioned' });
      expect(listed.body.items.map((i: { id: string }) => i.id)).toEqual([created.id]);

      const again = await del(created.id, `"${res.body.version}"`);
      expectEnvelope(again, 409, { error: 'conflict' });
      const patched = await t
        .http()
        .patch(`/v1/installations/${created.id}`)
        .set(...bearer(engineer))
        .set('If-Match', `"${res.body.version}"`)
        .send({ propertyName: 'zombie' });
      expectEnvelope(patched, 409, { error: 'conflict' });
      const credentials = await t
        .http()
        .put(`/v1/installations/${created.id}/credentials`)
        .set(...bearer(engineer))
        .send({ credentials: { clientSecret: 'after-decommission-1' } });
      expectEnvelope(credentials, 409);
      expect((await get(created.id)).body.version).toBe(res.body.version);
      await expectNothingWrittenBy(t, again.body.requestId);
      await expectNothingWrittenBy(t, patched.body.requestId);
    });

    it('requires If-Match (428), refuses a stale one (412) and 404s an unknown id', async () => {
      const created = await createOk(parkwhizInstallation());
      expectEnvelope(await del(created.id), 428, { path: 'header.If-Match' });
      expectEnvelope(await del(created.id, `"${created.version + 5}"`), 412, { path: 'header.If-Match' });
      expect((await get(created.id)).body.status).toBe('draft');
      expectEnvelope(await del(randomUUID(), '"1"'), 404);
    });
  });

  describe('Idempotency-Key', () => {
    it('a retry with the same key and body returns the first result: 200, Idempotent-Replayed: true, same id, one row', async () => {
      const key = `idem-${randomUUID()}`;
      const body = parkwhizInstallation();
      const first = await create(body).set('Idempotency-Key', key);
      expect(first.status).toBe(201);
      expect(first.headers['idempotent-replayed']).toBeUndefined();
      const retryRequestId = newRequestId('retry');
      const retry = await create(body).set('Idempotency-Key', key).set('X-Request-Id', retryRequestId);
      expect(retry.status).toBe(200);
      expect(retry.headers['idempotent-replayed']).toBe('true');
      expect(retry.body.id).toBe(first.body.id);
      expect(retry.body.externalKey).toBe(first.body.externalKey);
      expect(await countInstallationsWithProperty(t, body.propertyId as string)).toBe(1);
      await expectNothingWrittenBy(t, retryRequestId);
    });

    it('the same key with a different body is 422 naming header.Idempotency-Key and creates nothing', async () => {
      const key = `idem-${randomUUID()}`;
      const first = await create(parkwhizInstallation()).set('Idempotency-Key', key);
      expect(first.status).toBe(201);
      const other = parkwhizInstallation();
      const res = await create(other).set('Idempotency-Key', key);
      expectEnvelope(res, 422, { error: 'idempotency_key_reused', path: 'header.Idempotency-Key' });
      expect(await countInstallationsWithProperty(t, other.propertyId as string)).toBe(0);
      await expectNothingWrittenBy(t, res.body.requestId);
    });

    it('a malformed key is 400 naming header.Idempotency-Key and creates nothing', async () => {
      for (const key of ['short', 'has spaces in it', 'x'.repeat(129), 'bad/slash/key']) {
        const body = parkwhizInstallation();
        const res = await create(body).set('Idempotency-Key', key);
        expectEnvelope(res, 400, { path: 'header.Idempotency-Key' });
        expect(await countInstallationsWithProperty(t, body.propertyId as string)).toBe(0);
      }
    });

    it('two concurrent creates with the same key create exactly one installation', async () => {
      const key = `idem-${randomUUID()}`;
      const body = parkwhizInstallation();
      const results = await Promise.all([0, 1, 2, 3].map(() => create(body).set('Idempotency-Key', key)));
      const statuses = results.map((r) => r.status).sort();
      expect(statuses).toEqual([200, 200, 200, 201]);
      expect(new Set(results.map((r) => r.body.id)).size).toBe(1);
      expect(await countInstallationsWithProperty(t, body.propertyId as string)).toBe(1);
      const [audit] = await t.dataSource.query(
        `SELECT count(*)::int AS n FROM audit_events WHERE action = 'installation.created' AND target_id = $1`,
        [results[0].body.id],
      );
      expect(audit.n).toBe(1);
    });

    it('two concurrent creates of the same externalKey without a key: one 201, one 409', async () => {
      const body = parkwhizInstallation();
      const results = await Promise.all([create(body), create(body)]);
      expect(results.map((r) => r.status).sort()).toEqual([201, 409]);
      expectEnvelope(
        results.find((r) => r.status === 409)!,
        409,
        { error: 'conflict' },
      );
      expect(await countInstallationsWithProperty(t, body.propertyId as string)).toBe(1);
    });
  });
});
