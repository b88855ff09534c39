import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { migrateDatabase } from '../../libs/common/src/database/database-bootstrap';

export interface PrivateDatabase {
  migrationUrl: string;
  appUrl: string;
  /** Runs SQL as the owner (superuser): the tamperer in integrity tests. */
  asOwner: <T = Record<string, unknown>>(sql: string, params?: unknown[]) => Promise<T[]>;
  drop: () => Promise<void>;
}

/**
 * A database of its own, migrated like the run's shared one, for tests that tamper with the audit
 * trail or revoke the application role's privileges: doing that in the shared database would break
 * specs running concurrently.
 */
export async function createPrivateDatabase(): Promise<PrivateDatabase> {
  const server = process.env.TEST_PG_SERVER ?? '127.0.0.1:5432';
  const name = `ir_test_private_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  const migrationUrl = `postgres://postgres@${server}/${name}`;
  const appUrl = `postgres://installation_records_app@${server}/${name}`;
  await migrateDatabase({ migrationUrl, appUrl });
  const asOwner = async <T>(sql: string, params: unknown[] = []): Promise<T[]> => {
    const client = new Client({ connectionString: migrationUrl });
    await client.connect();
    try {
      return (await client.query(sql, params)).rows as T[];
    } finally {
      await client.end();
    }
  };
  const drop = async (): Promise<void> => {
    const client = new Client({ connectionString: `postgres://postgres@${server}/postgres` });
    await client.connect();
    try {
      await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    } finally {
      await client.end();
    }
  };
  return { migrationUrl, appUrl, asOwner, drop };
}

/** Points the app (booted after this call) at another database; returns the restore function. */
export function useDatabase(db: PrivateDatabase): () => void {
  const saved = { app: process.env.DATABASE_URL, migration: process.env.MIGRATION_DATABASE_URL };
  process.env.DATABASE_URL = db.appUrl;
  process.env.MIGRATION_DATABASE_URL = db.migrationUrl;
  return () => {
    process.env.DATABASE_URL = saved.app;
    process.env.MIGRATION_DATABASE_URL = saved.migration;
  };
}
