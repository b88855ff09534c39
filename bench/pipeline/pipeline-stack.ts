import { connect, type ChannelModel } from 'amqplib';
import jwt from 'jsonwebtoken';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { Pool } from 'pg';
import { DEV_JWT_SECRET, loadEnvironment, loadMessagingSettings, migrateDatabase, Topology } from '@app/common';
import { startPartnerSandbox, type FaultPlan, type RunningPartnerSandbox } from '../../test/partner-sandbox';
import { ChildApp } from './child-app';
import { dropDatabase } from './sql-baseline';

export const BENCH_CLIENT = { clientId: 'pw-bench', clientSecret: 'pw-bench-secret-0001' } as const;
export const BENCH_LOCATION = '4412';

export interface PipelineStackOptions {
  pgHost: string;
  database: string;
  rabbitUrl: string;
  /** VERIFIER_CONCURRENCY = the worker's prefetch. */
  workerConcurrency: number;
  logLevel: string;
}

/**
 * What the pipeline figures run against: a fresh, migrated database of their own, the partner
 * sandbox (in this process; its latency is changed between scenarios), records-api and any number
 * of verifier-workers as child processes on a private broker prefix, removed afterwards.
 */
export class PipelineStack {
  readonly prefix = `ir-bench-pipeline.${randomBytes(3).toString('hex')}.`;
  readonly topology: Topology;
  readonly urls: { migrationUrl: string; appUrl: string };
  readonly database: string;
  readonly db: Pool;
  readonly workers: ChildApp[] = [];
  api!: ChildApp;
  apiUrl = '';
  sandbox!: RunningPartnerSandbox;
  private broker: ChannelModel | null = null;

  constructor(private readonly options: PipelineStackOptions) {
    this.database = options.database;
    this.urls = {
      migrationUrl: `postgres://postgres@${options.pgHost}/${options.database}`,
      appUrl: `postgres://installation_records_app@${options.pgHost}/${options.database}`,
    };
    this.topology = Topology.fromSettings(loadMessagingSettings({ AMQP_PREFIX: this.prefix }));
    this.db = new Pool({ connectionString: this.urls.migrationUrl, max: 4, application_name: 'pipeline-bench' });
  }

  async start(): Promise<void> {
    await dropDatabase(this.urls.migrationUrl, this.options.database);
    await migrateDatabase(this.urls);
    this.sandbox = await startPartnerSandbox({ parkwhizClients: [{ ...BENCH_CLIENT }], locationIds: [BENCH_LOCATION] });
    this.broker = await connect(this.options.rabbitUrl);
    const port = await freePort();
    this.apiUrl = `http://127.0.0.1:${port}`;
    this.api = ChildApp.spawn('records-api', appEntry('records-api'), { ...this.env(), PORT: String(port) });
    await this.api.waitUntil(async () => (await fetch(`${this.apiUrl}/health/live`)).status === 200);
    await this.api.waitUntil(async () => (await this.consumers(this.topology.statusUpdates.name)) >= 1);
    await this.addWorker();
  }

  /** Starts one more verifier-worker and waits until it consumes. */
  async addWorker(): Promise<void> {
    const expected = this.workers.length + 1;
    const worker = ChildApp.spawn(`verifier-worker#${expected}`, appEntry('verifier-worker'), {
      ...this.env(),
      VERIFIER_WORKER_ID: `bench-worker-${expected}`,
    });
    this.workers.push(worker);
    await worker.waitUntil(async () => (await this.consumers(this.topology.verificationRequests.name)) >= expected);
  }

  /** Latency (ms) before every answer on `routes` (every route when omitted); 0 removes it. */
  setPartnerLatency(latencyMs: number, routes?: FaultPlan['routes']): void {
    this.sandbox.server.configure({ faults: latencyMs > 0 ? { '*': { latencyMs, ...(routes ? { routes } : {}) } } : {} });
  }

  /** Transactions committed in the bench database so far (every client, both apps). */
  async commits(): Promise<number> {
    const { rows } = await this.db.query<{ n: string }>('SELECT xact_commit AS n FROM pg_stat_database WHERE datname = $1', [
      this.database,
    ]);
    return Number(rows[0]?.n ?? 0);
  }

  engineerToken(): string {
    const config = loadEnvironment(this.env());
    return jwt.sign({ roles: ['engineer'], name: 'bench-engineer' }, config.JWT_SECRET ?? DEV_JWT_SECRET, {
      algorithm: 'HS256',
      subject: 'bench-engineer',
      issuer: config.JWT_ISSUER,
      audience: config.JWT_AUDIENCE,
      expiresIn: 3600,
    });
  }

  pids(): Record<string, number | undefined> {
    return Object.fromEntries([this.api, ...this.workers].filter(Boolean).map((app) => [app.name, app.pid]));
  }

  async stop(): Promise<void> {
    await Promise.allSettled(this.workers.map((worker) => worker.stop()));
    await this.api?.stop();
    await this.sandbox?.close();
    if (this.broker) {
      const channel = await this.broker.createChannel();
      await this.topology.remove(channel).catch(() => undefined);
      await this.broker.close().catch(() => undefined);
    }
    await this.db.end();
    if (!process.env.BENCH_KEEP_DATABASE) await dropDatabase(this.urls.migrationUrl, this.options.database);
  }

  private env(): NodeJS.ProcessEnv {
    return {
      ...process.env,
      NODE_ENV: 'development',
      LOG_LEVEL: this.options.logLevel,
      DATABASE_URL: this.urls.appUrl,
      MIGRATION_DATABASE_URL: this.urls.migrationUrl,
      RABBITMQ_URL: this.options.rabbitUrl,
      AMQP_PREFIX: this.prefix,
      PARTNER_HOST_ALLOWLIST: `127.0.0.1:${this.sandbox.port}`,
      VERIFIER_CONCURRENCY: String(this.options.workerConcurrency),
      // Scheduled re-verification would add checks nobody submitted.
      VERIFIER_SCHEDULER_TICK_MS: '0',
    };
  }

  /** Consumers attached to a queue (0 while it does not exist yet). */
  private async consumers(queue: string): Promise<number> {
    if (!this.broker) return 0;
    const channel = await this.broker.createChannel();
    channel.on('error', () => undefined);
    try {
      return (await channel.checkQueue(queue)).consumerCount;
    } catch {
      return 0;
    } finally {
      await channel.close().catch(() => undefined);
    }
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * The built entry point (dist/, what `npm start` runs; `npm run bench` builds first), or the source
 * through ts-node with BENCH_FROM_SOURCE=1 (quicker loops while editing).
 */
function appEntry(app: 'records-api' | 'verifier-worker'): string {
  return process.env.BENCH_FROM_SOURCE ? `apps/${app}/src/main.ts` : `dist/apps/${app}/src/main.js`;
}
