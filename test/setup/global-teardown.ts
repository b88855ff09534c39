import { Client } from 'pg';
import { currentTopology, removeTopology } from '../support/broker';

/** Drops this run's private database unless KEEP_TEST_DATABASE is set (for post-mortems). */
export default async function globalTeardown(): Promise<void> {
  await removeTopology(currentTopology()).catch(() => undefined);
  const name = process.env.TEST_DATABASE_NAME;
  if (!name || process.env.KEEP_TEST_DATABASE) return;
  const server = process.env.TEST_PG_SERVER ?? '127.0.0.1:5432';
  const client = new Client({ connectionString: `postgres://postgres@${server}/postgres` });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  } finally {
    await client.end();
  }
}
