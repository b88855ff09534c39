import { Client } from 'pg';
import { AuditCheckpointService } from '../apps/records-api/src/audit/audit-checkpoint.service';
import { parkwhizInstallation, startTestApp, tokenFor, type TestApp } from './support/test-app';

/** A1: the application's own role cannot alter the trail or switch its guards off. */
describe('audit trail immutability (A1)', () => {
  let t: TestApp;
  let app: Client;
  let owner: Client;

  beforeAll(async () => {
    t = await startTestApp();
    // At least one row in each table, so a refusal cannot be "nothing matched".
    const created = await t
      .http()
      .post('/v1/installations')
      .set('Authorization', `Bearer ${tokenFor(['engineer'])}`)
      .send(parkwhizInstallation());
    expect(created.status).toBe(201);
    app = new Client({ connectionString: process.env.DATABASE_URL });
    owner = new Client({ connectionString: process.env.MIGRATION_DATABASE_URL });
    await Promise.all([app.connect(), owner.connect()]);
    // Real signed checkpoints (the writer skips heads a concurrent spec's app already signed).
    await t.app.get(AuditCheckpointService).writeCheckpoints();
  });
  afterAll(async () => {
    await Promise.all([app.end(), owner.end()]);
    await t.close();
  });

  it('connects as the least-privilege application role, which owns neither table', async () => {
    const { rows } = await app.query(`SELECT current_user AS me, rolsuper FROM pg_roles WHERE rolname = current_user`);
    expect(rows[0]).toEqual({ me: 'installation_records_app', rolsuper: false });
    const owners = await app.query(`SELECT tablename, tableowner FROM pg_tables WHERE tablename IN ('audit_events', 'audit_checkpoints')`);
    expect(owners.rows).toHaveLength(2);
    for (const row of owners.rows) expect(row.tableowner).not.toBe('installation_records_app');
  });

  describe.each(['audit_events', 'audit_checkpoints'])('%s', (table) => {
    it.each([
      ['UPDATE', `UPDATE ${table} SET hash = hash`, /permission denied/],
      ['DELETE', `DELETE FROM ${table}`, /permission denied/],
      ['TRUNCATE', `TRUNCATE ${table}`, /permission denied/],
      ['DISABLE TRIGGER ALL', `ALTER TABLE ${table} DISABLE TRIGGER ALL`, /must be owner/],
      ['DISABLE one trigger', `ALTER TABLE ${table} DISABLE TRIGGER USER`, /must be owner/],
      ['DROP', `DROP TABLE ${table}`, /must be owner/],
      ['SET ROLE to the owner', `SET ROLE postgres`, /permission denied/],
    ])('refuses %s to the application role', async (_name, sql, message) => {
      await expect(app.query(sql)).rejects.toThrow(message);
    });

    it('cannot grant itself the privileges back (PostgreSQL only warns; the privilege stays absent)', async () => {
      await app.query(`GRANT UPDATE, DELETE, TRUNCATE ON ${table} TO installation_records_app`);
      const { rows } = await app.query(
        `SELECT has_table_privilege(current_user, $1, 'UPDATE') AS u, has_table_privilege(current_user, $1, 'DELETE') AS d,
                has_table_privilege(current_user, $1, 'TRUNCATE') AS t, has_table_privilege(current_user, $1, 'INSERT') AS i`,
        [table],
      );
      expect(rows[0]).toEqual({ u: false, d: false, t: false, i: true });
    });

    it('can still read and append', async () => {
      const { rows } = await app.query(`SELECT count(*)::int AS n FROM ${table}`);
      expect(rows[0].n).toBeGreaterThan(0);
    });

    it('refuses UPDATE, DELETE and TRUNCATE even to the owner while the triggers are on', async () => {
      await expect(owner.query(`UPDATE ${table} SET hash = hash`)).rejects.toThrow(/append-only: UPDATE refused/);
      await expect(owner.query(`DELETE FROM ${table}`)).rejects.toThrow(/append-only: DELETE refused/);
      await expect(owner.query(`TRUNCATE ${table}`)).rejects.toThrow(/append-only: TRUNCATE refused/);
    });
  });
});
