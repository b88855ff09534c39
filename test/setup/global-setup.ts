import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { migrateDatabase } from '../../libs/common/src/database/database-bootstrap';

/**
 * Every jest run gets its own database, created and migrated here through the same bootstrap as
 * `npm run migration:run`, so concurrent runs (developers, CI, helpers) never share state.
 * Workers inherit these variables.
 */
export default async function globalSetup(): Promise<void> {
  const server = process.env.TEST_PG_SERVER ?? '127.0.0.1:5432';
  const name = `ir_test_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  process.env.TEST_DATABASE_NAME = name;
  process.env.MIGRATION_DATABASE_URL = `postgres://postgres@${server}/${name}`;
  process.env.DATABASE_URL = `postgres://installation_records_app@${server}/${name}`;
  process.env.NODE_ENV = 'test';
  // Broker names get the run's prefix too: the apps' relays and consumers never touch another run's queues.
  process.env.AMQP_PREFIX ??= `${name}.`;
  await migrateDatabase({ migrationUrl: process.env.MIGRATION_DATABASE_URL, appUrl: process.env.DATABASE_URL });
}
