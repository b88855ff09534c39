import { RouteAuditRegistry } from '../apps/records-api/src/audit/route-audit-registry';
import { startTestApp, type TestApp } from './support/test-app';

/** Every route says what it writes to the audit trail, or why it writes nothing. */
describe('audit declarations cover every route', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => t.close());

  it('finds the routes of every controller', () => {
    const routes = t.app
      .get(RouteAuditRegistry)
      .all()
      .map((r) => `${r.method} ${r.path}`);
    expect(routes).toEqual(
      expect.arrayContaining([
        'POST /installations',
        'PATCH /installations/:id',
        'POST /installations/:id/credentials/reveal',
        'GET /audit/export',
        'GET /health/live',
      ]),
    );
  });

  it('has no route without @Audited, @AccessAudited or @NotAudited', () => {
    const undeclared = t.app
      .get(RouteAuditRegistry)
      .all()
      .filter((r) => r.audit === null)
      .map((r) => `${r.method} ${r.path} (${r.handler})`);
    expect(undeclared).toEqual([]);
  });

  it('states a reason for every opt-out', () => {
    for (const route of t.app.get(RouteAuditRegistry).all()) {
      if (route.audit?.kind === 'none') expect(route.audit.reason.trim().length).toBeGreaterThanOrEqual(8);
    }
  });

  it('marks every modifying route as audited in its own transaction', () => {
    const modifying = t.app
      .get(RouteAuditRegistry)
      .all()
      .filter((r) => ['POST', 'PUT', 'PATCH', 'DELETE'].includes(r.method));
    const notHandler = modifying.filter((r) => r.audit?.kind !== 'handler').map((r) => `${r.method} ${r.path}`);
    expect(notHandler).toEqual([]);
  });
});
