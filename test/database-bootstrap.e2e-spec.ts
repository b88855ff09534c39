import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { migrateDatabase } from '../libs/common/src/database/database-bootstrap';

/**
 * `npm run migration:run` creates the application role named by DATABASE_URL and strips it of every
 * right it must not have. Pointed by mistake at an administrator, that would demote the
 * administrator (it happened on a developer machine: `postgres` lost SUPERUSER), so the bootstrap
 * refuses before it migrates anything.
 */
describe('database bootstrap: the application role must be a role of its own', () => {
  const server = process.env.TEST_PG_SERVER ?? '127.0.0.1:5432';
  const suffix = `${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  const database = `ir_test_bootstrap_${suffix}`;
  const otherSuperuser = `ir_test_super_${suffix}`;
  const admin = async <T>(sql: string, params: unknown[] = []): Promise<T[]> => {
    const client = new Client({ connectionString: `postgres://postgres@${server}/postgres` });
    await client.connect();
    try {
      return (await client.query(sql, params)).rows as T[];
    } finally {
      await client.end();
    }
  };
  const isSuperuser = async (role: string): Promise<boolean> =>
    (await admin<{ rolsuper: boolean }>('SELECT rolsuper FROM pg_roles WHERE rolname = $1', [role]))[0].rolsuper;

  beforeAll(async () => {
    await admin(`CREATE ROLE "${otherSuperuser}" LOGIN SUPERUSER`);
  });

  afterAll(async () => {
    await admin(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
    await admin(`DROP ROLE IF EXISTS "${otherSuperuser}"`);
  });

  it('refuses a DATABASE_URL naming the role that runs the migrations, and leaves it a superuser', async () => {
    await expect(
      migrateDatabase({ migrationUrl: `postgres://postgres@${server}/${database}`, appUrl: `postgres://postgres@${server}/${database}` }),
    ).rejects.toThrow('DATABASE_URL names the role "postgres" that runs the migrations');
    expect(await isSuperuser('postgres')).toBe(true);
  });

  it('refuses a DATABASE_URL naming another superuser, leaves it a superuser and applies no migration', async () => {
    await expect(
      migrateDatabase({
        migrationUrl: `postgres://postgres@${server}/${database}`,
        appUrl: `postgres://${otherSuperuser}@${server}/${database}`,
      }),
    ).rejects.toThrow(`DATABASE_URL names the superuser "${otherSuperuser}"`);
    expect(await isSuperuser(otherSuperuser)).toBe(true);
    const client = new Client({ connectionString: `postgres://postgres@${server}/${database}` });
    await client.connect();
    try {
      const { rows } = await client.query(`SELECT to_regclass('public.installations') AS installations`);
      expect(rows[0].installations).toBeNull();
    } finally {
      await client.end();
    }
  });
});
