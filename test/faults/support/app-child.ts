import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { FAULTS_DIR } from './private-instances';

const ROOT = join(__dirname, '..', '..', '..');
const ENTRY = {
  'records-api': 'apps/records-api/src/main.ts',
  'verifier-worker': 'apps/verifier-worker/src/main.ts',
} as const;

export type AppName = keyof typeof ENTRY;

/**
 * One app (records-api or verifier-worker) as a real OS process, started from source the way
 * `node -r ts-node/register/transpile-only -r tsconfig-paths/register <main.ts>` does, so the test
 * can SIGKILL it. Its output goes to FAULTS_DIR/logs/<label>.log for post-mortems.
 */
export class AppChild {
  private readonly child: ChildProcess;
  private exitCode: number | string | null = null;
  private readonly exited: Promise<void>;
  private tail = '';
  readonly logFile: string;

  constructor(
    readonly app: AppName,
    readonly label: string,
    env: Record<string, string>,
  ) {
    mkdirSync(join(FAULTS_DIR, 'logs'), { recursive: true });
    this.logFile = join(FAULTS_DIR, 'logs', `${label}.log`);
    const log = createWriteStream(this.logFile);
    this.child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register', ENTRY[app]], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const keep = (chunk: Buffer) => {
      log.write(chunk);
      this.tail = (this.tail + chunk.toString('utf8')).slice(-6000);
    };
    this.child.stdout?.on('data', keep);
    this.child.stderr?.on('data', keep);
    this.exited = new Promise((resolve) =>
      this.child.once('exit', (code, signal) => {
        this.exitCode = code ?? signal ?? -1;
        log.end();
        resolve();
      }),
    );
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  get alive(): boolean {
    return this.exitCode === null;
  }

  /** The last few kB it printed, for failure messages. */
  output(): string {
    return this.tail;
  }

  /** Fails fast (with its output) when the process died, instead of waiting for a timeout. */
  assertAlive(): void {
    if (!this.alive) throw new Error(`${this.label} exited (${String(this.exitCode)}):\n${this.tail}`);
  }

  /** SIGKILL: no shutdown hook runs, nothing in hand is acked or drained. */
  async kill(): Promise<void> {
    if (!this.alive) return;
    this.child.kill('SIGKILL');
    await this.exited;
  }

  /** SIGTERM (graceful drain), SIGKILL after `graceMs`. */
  async stop(graceMs = 15_000): Promise<void> {
    if (!this.alive) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }
}
