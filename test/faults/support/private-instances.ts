import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect } from 'amqplib';
import { Client } from 'pg';

/**
 * Private PostgreSQL and RabbitMQ instances on other loopback ports, so the fault tests can stop
 * and kill them without disturbing the shared ones (127.0.0.1:5432 and :5672) that other tests and
 * engineers use. Everything lives under FAULTS_DIR (default /tmp/ir-faults). Every operation is
 * idempotent: start on a running instance, stop on a stopped one, do nothing.
 */
export const FAULTS_DIR = process.env.FAULTS_DIR ?? '/tmp/ir-faults';
export const PG_PORT = Number(process.env.FAULTS_PG_PORT ?? 5499);
export const AMQP_PORT = Number(process.env.FAULTS_AMQP_PORT ?? 5673);

const PG_DATA = join(FAULTS_DIR, 'pg');
const PG_SOCKETS = join(FAULTS_DIR, 'pg-run');
const RABBIT_NODE = `faults${AMQP_PORT}@localhost`;

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

function run(file: string, args: string[], options: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<CommandResult> {
  return new Promise((resolve) => {
    execFile(
      file,
      args,
      { env: options.env ?? process.env, timeout: options.timeoutMs ?? 60_000, cwd: FAULTS_DIR },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout: String(stdout), stderr: String(stderr) });
      },
    );
  });
}

async function must(file: string, args: string[], options: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<string> {
  const result = await run(file, args, options);
  if (result.code !== 0) throw new Error(`${file} ${args.join(' ')} failed (${result.code}):\n${result.stdout}\n${result.stderr}`);
  return result.stdout;
}

async function until(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`${what} not reached within ${timeoutMs} ms`);
}

function newestDir(parent: string, prefix: string): string | null {
  if (!existsSync(parent)) return null;
  const found = readdirSync(parent)
    .filter((name) => name.startsWith(prefix))
    .sort((a, b) => b.localeCompare(a, undefined, { numeric: true }));
  return found.length ? join(parent, found[0]) : null;
}

/** A private PostgreSQL cluster (initdb on first start) on 127.0.0.1:PG_PORT, trust auth. */
export class PrivatePostgres {
  readonly port = PG_PORT;
  readonly adminUrl = `postgres://postgres@127.0.0.1:${PG_PORT}/postgres`;
  private readonly bin = process.env.FAULTS_PG_BIN ?? join(newestDir('/usr/lib/postgresql', '') ?? '/usr/lib/postgresql/15', 'bin');

  /** initdb and postgres refuse to run as root: run them as the postgres user then. */
  private ctl(args: string[], timeoutMs = 60_000): Promise<CommandResult> {
    const [file, prefix] = process.getuid?.() === 0 ? ['runuser', ['-u', 'postgres', '--']] : ['env', []];
    return run(file, [...prefix, join(this.bin, args[0]), ...args.slice(1)], { timeoutMs });
  }

  async running(): Promise<boolean> {
    return (await this.ctl(['pg_ctl', 'status', '-D', PG_DATA])).code === 0;
  }

  async start(): Promise<void> {
    mkdirSync(FAULTS_DIR, { recursive: true });
    if (!existsSync(join(PG_DATA, 'PG_VERSION'))) {
      mkdirSync(PG_DATA, { recursive: true });
      mkdirSync(PG_SOCKETS, { recursive: true });
      if (process.getuid?.() === 0) await must('chown', ['postgres', PG_DATA, PG_SOCKETS]);
      const init = await this.ctl(['initdb', '-D', PG_DATA, '-U', 'postgres', '--auth=trust', '--no-sync']);
      if (init.code !== 0) throw new Error(`initdb failed:\n${init.stdout}\n${init.stderr}`);
    }
    if (await this.running()) return;
    const options = `-p ${PG_PORT} -k ${PG_SOCKETS} -c listen_addresses=127.0.0.1 -c max_connections=200`;
    const started = await this.ctl([
      'pg_ctl',
      '-D',
      PG_DATA,
      '-o',
      options,
      '-l',
      join(PG_SOCKETS, 'postgres.log'),
      '-w',
      '-t',
      '60',
      'start',
    ]);
    if (started.code !== 0) throw new Error(`pg_ctl start failed:\n${started.stdout}\n${started.stderr}`);
    await until(() => this.accepting(), 30_000, 'private PostgreSQL accepting connections');
  }

  /** `fast` for cleanup; `immediate` is the fault (no shutdown checkpoint: crash recovery on start). */
  async stop(mode: 'fast' | 'immediate' = 'fast'): Promise<void> {
    if (!(await this.running())) return;
    const stopped = await this.ctl(['pg_ctl', '-D', PG_DATA, '-m', mode, '-w', '-t', '60', 'stop']);
    if (stopped.code !== 0 && (await this.running())) throw new Error(`pg_ctl stop failed:\n${stopped.stdout}\n${stopped.stderr}`);
  }

  async accepting(): Promise<boolean> {
    const client = new Client({ connectionString: this.adminUrl, connectionTimeoutMillis: 2000 });
    try {
      await client.connect();
      await client.query('SELECT 1');
      return true;
    } catch {
      return false;
    } finally {
      await client.end().catch(() => undefined);
    }
  }

  urls(database: string): { migrationUrl: string; appUrl: string } {
    return {
      migrationUrl: `postgres://postgres@127.0.0.1:${PG_PORT}/${database}`,
      appUrl: `postgres://installation_records_app@127.0.0.1:${PG_PORT}/${database}`,
    };
  }

  async dropDatabase(name: string): Promise<void> {
    if (!(await this.accepting())) return;
    const client = new Client({ connectionString: this.adminUrl });
    await client.connect();
    try {
      await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    } finally {
      await client.end();
    }
  }
}

/**
 * A private RabbitMQ node (name faults<port>@localhost) on 127.0.0.1:AMQP_PORT with its own config,
 * data, logs and Erlang cookie (HOME), started straight from the server's sbin so that the Debian
 * wrapper (which switches to the rabbitmq user and the shared node's settings) is bypassed.
 */
export class PrivateRabbitMq {
  readonly port = AMQP_PORT;
  readonly url = `amqp://guest:guest@127.0.0.1:${AMQP_PORT}`;
  private readonly dir = join(FAULTS_DIR, 'rabbitmq');
  private readonly sbin =
    process.env.FAULTS_RABBITMQ_SBIN ?? join(newestDir('/usr/lib/rabbitmq/lib', 'rabbitmq_server-') ?? '/usr/lib/rabbitmq', 'sbin');

  private env(): NodeJS.ProcessEnv {
    return {
      ...process.env,
      HOME: join(this.dir, 'home'),
      RABBITMQ_NODENAME: RABBIT_NODE,
      RABBITMQ_NODE_IP_ADDRESS: '127.0.0.1',
      RABBITMQ_NODE_PORT: String(AMQP_PORT),
      RABBITMQ_DIST_PORT: String(AMQP_PORT + 20000),
      RABBITMQ_MNESIA_BASE: join(this.dir, 'mnesia'),
      RABBITMQ_LOG_BASE: join(this.dir, 'log'),
      RABBITMQ_ENABLED_PLUGINS_FILE: join(this.dir, 'enabled_plugins'),
      RABBITMQ_CONFIG_FILE: join(this.dir, 'rabbitmq.conf'),
      RABBITMQ_CONF_ENV_FILE: join(this.dir, 'rabbitmq-env.conf'),
      ERL_EPMD_ADDRESS: '127.0.0.1',
      ERL_FLAGS: '-kernel inet_dist_use_interface {127,0,0,1}',
    };
  }

  private ctl(args: string[], timeoutMs = 60_000): Promise<CommandResult> {
    return run(join(this.sbin, 'rabbitmqctl'), ['-n', RABBIT_NODE, '-q', ...args], { env: this.env(), timeoutMs });
  }

  /** The node runs and the rabbit application in it has booted. */
  async running(): Promise<boolean> {
    return (await this.ctl(['await_startup', '--timeout', '5'], 15_000)).code === 0;
  }

  async start(): Promise<void> {
    for (const sub of ['home', 'log', 'mnesia']) mkdirSync(join(this.dir, sub), { recursive: true });
    writeFileSync(join(this.dir, 'enabled_plugins'), '[].\n');
    // The system config pins the shared node's listener (5672); this one listens elsewhere.
    writeFileSync(join(this.dir, 'rabbitmq.conf'), `listeners.tcp.local = 127.0.0.1:${AMQP_PORT}\nloopback_users.guest = true\n`);
    writeFileSync(join(this.dir, 'rabbitmq-env.conf'), 'ERL_EPMD_ADDRESS=127.0.0.1\n');
    if (await this.running()) return;
    await must(join(this.sbin, 'rabbitmq-server'), ['-detached'], { env: this.env() });
    // -detached returns before the node registers with epmd: poll until the rabbit app has booted.
    await until(() => this.running(), 90_000, 'private RabbitMQ started');
    await until(() => this.accepting(), 30_000, 'private RabbitMQ accepting AMQP connections');
  }

  /** Stops the whole node (every connection drops, as in a broker restart). */
  async stop(): Promise<void> {
    const result = await this.ctl(['stop'], 90_000);
    if (result.code !== 0 && (await this.running())) throw new Error(`rabbitmqctl stop failed:\n${result.stdout}\n${result.stderr}`);
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  async accepting(): Promise<boolean> {
    const connection = await connect(this.url, { timeout: 2000 }).catch(() => null);
    if (!connection) return false;
    await connection.close().catch(() => undefined);
    return true;
  }
}

/** Wipes what an earlier, interrupted run left behind (stopping its instances first). */
export async function resetPrivateInstances(): Promise<void> {
  await stopPrivateInstances();
  rmSync(PG_DATA, { recursive: true, force: true });
  rmSync(join(FAULTS_DIR, 'rabbitmq', 'mnesia'), { recursive: true, force: true });
}

export async function stopPrivateInstances(): Promise<void> {
  const errors: unknown[] = [];
  await new PrivateRabbitMq().stop().catch((error: unknown) => errors.push(error));
  await new PrivatePostgres().stop('fast').catch((error: unknown) => errors.push(error));
  if (errors.length) throw errors[0];
}
