import type { INestApplicationContext } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { migrateDatabase, Topology } from '../../libs/common/src';
import { StatusConsumer } from '../../apps/records-api/src/status/status.module';
import { createWorker } from '../../apps/verifier-worker/src/create-worker';
import { VerificationConsumer } from '../../apps/verifier-worker/src/verification/verification.consumer';
import { startPartnerSandbox, type PartnerSandboxOptions, type RunningPartnerSandbox } from '../partner-sandbox';
import { currentTopology, removeTopology } from './broker';
import { startTestApp, type TestApp } from './test-app';

export interface Pipeline {
  api: TestApp;
  worker: INestApplicationContext;
  sandbox: RunningPartnerSandbox;
  topology: Topology;
  workerData: DataSource;
  close: () => Promise<void>;
}

/** Fast settings for tests: short retry delays, a small delivery limit, a short partner timeout. */
export const PIPELINE_ENV = {
  AMQP_RETRY_DELAYS_MS: '200,400,800',
  AMQP_DELIVERY_LIMIT: '3',
  VERIFIER_PARTNER_TIMEOUT_MS: '1500',
  VERIFIER_CONCURRENCY: '10',
  // Scheduled checks would add receipts that specs do not expect; the scheduling spec turns it on.
  VERIFIER_SCHEDULER_TICK_MS: '0',
} as const;

export interface PipelineOptions {
  /** Extra environment for both apps. */
  env?: Record<string, string>;
  /**
   * A database of its own (created, migrated, dropped); default true. Every records-api in the
   * jest run relays the shared database's outbox to its own broker prefix, so a pipeline on the
   * shared database would lose its events to other spec files' apps.
   */
  privateDatabase?: boolean;
}

/**
 * Both apps in-process on the real PostgreSQL and RabbitMQ, plus the partner sandbox. Each spec
 * file gets its own broker prefix (so specs never take each other's messages) and removes it after.
 */
export async function startPipeline(sandboxOptions: PartnerSandboxOptions, options: PipelineOptions = {}): Promise<Pipeline> {
  const sandbox = await startPartnerSandbox(sandboxOptions);
  const saved = { ...process.env };
  const suffix = randomBytes(3).toString('hex');
  Object.assign(process.env, PIPELINE_ENV, options.env ?? {}, {
    AMQP_PREFIX: `${process.env.AMQP_PREFIX ?? 'ir-test.'}${suffix}.`,
    PARTNER_HOST_ALLOWLIST: `127.0.0.1:${sandbox.port}`,
  });
  const privateDatabase = options.privateDatabase === false ? null : await createPrivateDatabase(suffix);
  const topology = currentTopology();
  const api = await startTestApp();
  const worker = await createWorker();
  const restore = () => {
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
    Object.assign(process.env, saved);
  };
  await waitFor(
    () => api.app.get(StatusConsumer).consumer.attached && worker.get(VerificationConsumer).consumer.attached,
    15_000,
    'consumers attached',
  );
  return {
    api,
    worker,
    sandbox,
    topology,
    workerData: worker.get(DataSource),
    close: async () => {
      await worker.close();
      await api.close();
      await sandbox.close();
      await removeTopology(topology);
      restore();
      if (privateDatabase) await dropDatabase(privateDatabase);
    },
  };
}

/** Points DATABASE_URL (and the migration URL) at a new, migrated database; returns its name. */
async function createPrivateDatabase(suffix: string): Promise<string> {
  const base = new URL(process.env.MIGRATION_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/x');
  const name = `${base.pathname.slice(1)}_${suffix}`;
  const migrationUrl = new URL(base.toString());
  migrationUrl.pathname = `/${name}`;
  const appUrl = new URL(process.env.DATABASE_URL ?? 'postgres://installation_records_app@127.0.0.1:5432/x');
  appUrl.pathname = `/${name}`;
  process.env.MIGRATION_DATABASE_URL = migrationUrl.toString();
  process.env.DATABASE_URL = appUrl.toString();
  await migrateDatabase({ migrationUrl: migrationUrl.toString(), appUrl: appUrl.toString() });
  return name;
}

async function dropDatabase(name: string): Promise<void> {
  if (process.env.KEEP_TEST_DATABASE) return;
  const admin = new URL(process.env.MIGRATION_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
  admin.pathname = '/postgres';
  const client = new Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  } finally {
    await client.end();
  }
}

/** Polls until `check` returns a truthy value; fails naming what was awaited. */
export async function waitFor<T>(
  check: () => T | Promise<T>,
  timeoutMs = 15_000,
  what = 'condition',
  intervalMs = 100,
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  while (Date.now() < deadline) {
    last = await check();
    if (last) return last as NonNullable<T>;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (last: ${JSON.stringify(last)})`);
}
