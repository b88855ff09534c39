import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { connect } from 'amqplib';
import { Pool } from 'pg';
import { loadMessagingSettings, migrateDatabase, Topology } from '../../../libs/common/src';
import { startPartnerSandbox, type RunningPartnerSandbox } from '../../partner-sandbox';
import { AppChild, type AppName } from './app-child';
import { PrivatePostgres, PrivateRabbitMq } from './private-instances';

export const SANDBOX_CLIENT = { clientId: 'pw-fault', clientSecret: 'pw-fault-secret-0001' };
export const SANDBOX_LOCATION = '4412';

/** Production defaults, except what would add work the ledger does not expect (scheduled checks). */
const APP_ENV = {
  NODE_ENV: 'test',
  LOG_LEVEL: 'warn',
  VERIFIER_CONCURRENCY: '10',
  VERIFIER_SCHEDULER_TICK_MS: '0',
  AMQP_RETRY_DELAYS_MS: '500,1000,2000',
} as const;

export interface Progress {
  installations: number;
  active: number;
  completed: number;
  queued: number;
  outboxPending: number;
}

export interface QueueState {
  consumers: number;
  messages: number;
}

/**
 * Both apps as child processes on a private PostgreSQL database and a private RabbitMQ prefix, the
 * partner sandbox in the test process, and an owner connection to read the ledger. The apps'
 * processes can be killed and the instances stopped independently.
 */
export class FaultPipeline {
  readonly workers: AppChild[] = [];
  api: AppChild | null = null;
  apiUrl = '';
  private workerCount = 0;

  private constructor(
    readonly label: string,
    readonly pg: PrivatePostgres,
    readonly broker: PrivateRabbitMq,
    readonly sandbox: RunningPartnerSandbox,
    readonly database: string,
    readonly db: Pool,
    readonly topology: Topology,
    private readonly env: Record<string, string>,
  ) {}

  /** Instances up (idempotent), a fresh migrated database, a fresh broker prefix, the sandbox. */
  static async create(label: string, sandboxLatencyMs: number): Promise<FaultPipeline> {
    const pg = new PrivatePostgres();
    const broker = new PrivateRabbitMq();
    await pg.start();
    await broker.start();
    const suffix = `${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
    const database = `ir_faults_${suffix}`;
    const { migrationUrl, appUrl } = pg.urls(database);
    await migrateDatabase({ migrationUrl, appUrl });
    const sandbox = await startPartnerSandbox({
      parkwhizClients: [SANDBOX_CLIENT],
      locationIds: [SANDBOX_LOCATION],
      faults: { '*': { latencyMs: sandboxLatencyMs } },
    });
    const prefix = `ir-faults.${label}.${suffix}.`;
    const env: Record<string, string> = {
      ...APP_ENV,
      DATABASE_URL: appUrl,
      MIGRATION_DATABASE_URL: migrationUrl,
      RABBITMQ_URL: broker.url,
      AMQP_PREFIX: prefix,
      PARTNER_HOST_ALLOWLIST: `127.0.0.1:${sandbox.port}`,
    };
    const topology = Topology.fromSettings(loadMessagingSettings({ ...env }));
    const db = new Pool({ connectionString: migrationUrl, max: 3, connectionTimeoutMillis: 2000, idleTimeoutMillis: 1000 });
    db.on('error', () => undefined); // idle clients die with the server in scenario (c)
    return new FaultPipeline(label, pg, broker, sandbox, database, db, topology, env);
  }

  /** records-api on a free port, live when /health/live answers. */
  async startApi(timeoutMs = 120_000): Promise<void> {
    const port = await freePort();
    this.api = this.spawn('records-api', `${this.label}-records-api`, { PORT: String(port) });
    this.apiUrl = `http://127.0.0.1:${port}`;
    await this.until(
      async () => {
        this.api?.assertAlive();
        return (await fetch(`${this.apiUrl}/health/live`).catch(() => null))?.status === 200;
      },
      timeoutMs,
      'records-api live',
    );
  }

  /** A new worker process; resolves once the verification queue has `expectConsumers` consumers. */
  async startWorker(expectConsumers = 1, timeoutMs = 120_000): Promise<AppChild> {
    this.workerCount += 1;
    const worker = this.spawn('verifier-worker', `${this.label}-worker-${this.workerCount}`, {
      VERIFIER_WORKER_ID: `${this.label}-worker-${this.workerCount}`,
    });
    this.workers.push(worker);
    await this.until(
      async () => {
        worker.assertAlive();
        return (await this.queueState(this.topology.verificationRequests.name)).consumers >= expectConsumers;
      },
      timeoutMs,
      `worker ${this.workerCount} consuming`,
    );
    return worker;
  }

  /** Consumer and ready-message counts of a queue on the private broker; zeros when unreachable. */
  async queueState(queue: string): Promise<QueueState> {
    const connection = await connect(this.broker.url, { timeout: 2000 }).catch(() => null);
    if (!connection) return { consumers: 0, messages: 0 };
    try {
      const channel = await connection.createChannel();
      const state = await channel.checkQueue(queue);
      return { consumers: state.consumerCount, messages: state.messageCount };
    } catch {
      return { consumers: 0, messages: 0 };
    } finally {
      await connection.close().catch(() => undefined);
    }
  }

  /** Both work queues have a consumer again (records-api's status queue, the worker's requests). */
  async consumersAttached(): Promise<boolean> {
    const [requests, status] = await Promise.all([
      this.queueState(this.topology.verificationRequests.name),
      this.queueState(this.topology.statusUpdates.name),
    ]);
    return requests.consumers >= 1 && status.consumers >= 1;
  }

  /** null while the database is unreachable. */
  async progress(): Promise<Progress | null> {
    const rows = await this.db
      .query(
        `SELECT (SELECT count(*)::int FROM installations) AS installations,
                (SELECT count(*)::int FROM installations WHERE status = 'active') AS active,
                (SELECT count(*)::int FROM verification_receipts WHERE state = 'completed') AS completed,
                (SELECT count(*)::int FROM verification_receipts WHERE state <> 'completed') AS queued,
                (SELECT count(*)::int FROM outbox_events WHERE sent_at IS NULL) AS "outboxPending"`,
      )
      .catch(() => null);
    return rows ? (rows.rows[0] as Progress) : null;
  }

  /** Polls `check` every 250 ms; fails naming what was awaited and the last progress seen. */
  async until<T>(check: () => Promise<T | null | undefined | false>, timeoutMs: number, what: string): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await check();
      if (value) return value;
      if (Date.now() > deadline) {
        throw new Error(`${this.label}: ${what} not reached within ${timeoutMs} ms; progress ${JSON.stringify(await this.progress())}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }

  /** Stops every process, the sandbox and the pool; drops the database (KEEP_TEST_DATABASE keeps it). */
  async close(): Promise<void> {
    await Promise.allSettled(this.workers.map((w) => w.stop()));
    await this.api?.stop();
    await this.sandbox.close();
    await this.db.end().catch(() => undefined);
    if (!process.env.KEEP_TEST_DATABASE) await this.pg.dropDatabase(this.database).catch(() => undefined);
  }

  private spawn(app: AppName, label: string, extra: Record<string, string>): AppChild {
    return new AppChild(app, label, { ...this.env, ...extra });
  }
}

async function freePort(): Promise<number> {
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
