import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { buildDataSourceOptions } from './data-source-options';

/** Tables the application role may only read and append to: the audit trail is immutable. */
export const APPEND_ONLY_TABLES = ['audit_events', 'audit_checkpoints'];

const ident = (name: string): string => `"${name.replace(/"/g, '""')}"`;
const literal = (value: string): string => `'${value.replace(/'/g, "''")}'`;

function databaseName(url: URL): string {
  const name = decodeURIComponent(url.pathname.replace(/^\//, ''));
  if (!name) throw new Error(`database URL ${url.host} names no database`);
  return name;
}

/** Creates the database when it is missing, connecting to the server's `postgres` database. */
export async function ensureDatabase(migrationUrl: string): Promise<void> {
  const url = new URL(migrationUrl);
  const name = databaseName(url);
  const admin = new URL(migrationUrl);
  admin.pathname = '/postgres';
  const client = new Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (!rowCount) await client.query(`CREATE DATABASE ${ident(name)}`);
  } finally {
    await client.end();
  }
}

/**
 * DATABASE_URL must name a role of its own. Naming the migrating role, or any superuser, would
 * have the bootstrap below strip that role's rights (ALTER ROLE … NOSUPERUSER): the administrator
 * would lose the server, and the app would run as the owner of the audit tables. Checked before
 * any migration runs, so a wrong setting changes nothing.
 */
export async function assertDedicatedApplicationRole(dataSource: DataSource, appUrl: string): Promise<void> {
  const role = decodeURIComponent(new URL(appUrl).username);
  if (!role) throw new Error('DATABASE_URL names no user');
  const [{ current }]: Array<{ current: string }> = await dataSource.query('SELECT current_user AS current');
  if (role === current) {
    throw new Error(
      `DATABASE_URL names the role "${role}" that runs the migrations; the application needs a role of its own (e.g. installation_records_app)`,
    );
  }
  const [existing]: Array<{ rolsuper: boolean }> = await dataSource.query('SELECT rolsuper FROM pg_roles WHERE rolname = $1', [role]);
  if (existing?.rolsuper) {
    throw new Error(
      `DATABASE_URL names the superuser "${role}"; the application needs a least-privilege role of its own, refusing to demote it`,
    );
  }
}

/**
 * Creates (or updates the password of) the application's least-privilege login role named by
 * DATABASE_URL and grants it exactly what it needs: DML on state tables, SELECT + INSERT on the
 * append-only ones, nothing on the schema itself (it owns no table, so it cannot ALTER or disable
 * triggers).
 */
async function ensureApplicationRole(dataSource: DataSource, appUrl: string): Promise<void> {
  const url = new URL(appUrl);
  const role = decodeURIComponent(url.username);
  if (!role) throw new Error('DATABASE_URL names no user');
  const password = url.password ? `PASSWORD ${literal(decodeURIComponent(url.password))}` : 'PASSWORD NULL';
  const attributes = `LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS ${password}`;
  const exists = await dataSource.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [role]);
  // Roles are cluster-wide: two databases bootstrapping at once may race on CREATE ROLE.
  try {
    await dataSource.query(exists.length ? `ALTER ROLE ${ident(role)} ${attributes}` : `CREATE ROLE ${ident(role)} ${attributes}`);
  } catch (error) {
    if (!(error instanceof Error) || !/already exists|tuple concurrently updated/.test(error.message)) throw error;
  }
  const db = ident(databaseName(new URL(dataSource.options.type === 'postgres' ? String(dataSource.options.url) : '')));
  const r = ident(role);
  const statements = [
    `GRANT CONNECT ON DATABASE ${db} TO ${r}`,
    `GRANT USAGE ON SCHEMA public TO ${r}`,
    `REVOKE CREATE ON SCHEMA public FROM ${r}`,
    `REVOKE CREATE ON SCHEMA public FROM PUBLIC`,
    `GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO ${r}`,
    `GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO ${r}`,
    `REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON schema_migrations FROM ${r}`,
  ];
  for (const table of APPEND_ONLY_TABLES) {
    const found = await dataSource.query('SELECT 1 FROM pg_tables WHERE schemaname = $1 AND tablename = $2', ['public', table]);
    if (found.length) {
      statements.push(`REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON ${ident(table)} FROM ${r}, PUBLIC`);
    }
  }
  for (const statement of statements) await dataSource.query(statement);
}

/** Database, migrations, application role: everything `npm run migration:run` does, idempotently. */
export async function migrateDatabase(options: { migrationUrl: string; appUrl: string }): Promise<string[]> {
  await ensureDatabase(options.migrationUrl);
  const dataSource = new DataSource(
    buildDataSourceOptions(options.migrationUrl, { poolSize: 2, applicationName: 'installation-records-migrate' }),
  );
  await dataSource.initialize();
  try {
    // Two processes migrating at once (e.g. replicas starting together) must not interleave.
    await dataSource.query('SELECT pg_advisory_lock(727274)');
    await assertDedicatedApplicationRole(dataSource, options.appUrl);
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    await ensureApplicationRole(dataSource, options.appUrl);
    await dataSource.query('SELECT pg_advisory_unlock(727274)');
    return applied.map((m) => m.name);
  } finally {
    await dataSource.destroy();
  }
}
