import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');

/**
 * One app entry point (records-api or verifier-worker) in its own process: a `.js` script (the
 * built output, `npm run build`) runs as `npm start` runs it; a `.ts` one through ts-node.
 */
export class ChildApp {
  private readonly tail: string[] = [];
  private exitCode: number | null = null;

  private constructor(
    readonly name: string,
    private readonly child: ChildProcess,
  ) {
    const keep = (chunk: Buffer): void => {
      this.tail.push(chunk.toString('utf8'));
      if (this.tail.length > 100) this.tail.shift();
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    child.once('exit', (code) => {
      this.exitCode = code ?? -1;
      RUNNING.delete(this);
    });
  }

  static spawn(name: string, script: string, env: NodeJS.ProcessEnv): ChildApp {
    // BENCH_CPU_PROF=1: a V8 CPU profile per child in bench/results/profiles (open in Chrome DevTools).
    const profile = process.env.BENCH_CPU_PROF
      ? ['--cpu-prof', `--cpu-prof-dir=${join(ROOT, 'bench', 'results', 'profiles')}`, `--cpu-prof-name=${name}-${Date.now()}.cpuprofile`]
      : [];
    const loaders = script.endsWith('.js') ? [] : ['-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register'];
    const args = [...profile, ...loaders, join(ROOT, script)];
    const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const app = new ChildApp(name, child);
    RUNNING.add(app);
    return app;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Polls `ready` until it is true; fails fast when the process exits first. */
  async waitUntil(ready: () => Promise<boolean>, timeoutMs = 90_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.exitCode !== null) throw new Error(`${this.name} exited with ${this.exitCode}:\n${this.output()}`);
      if (await ready().catch(() => false)) return;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    throw new Error(`${this.name} not ready after ${timeoutMs} ms:\n${this.output()}`);
  }

  /** SIGTERM (the apps drain and close), SIGKILL after a grace period. */
  async stop(graceMs = 10_000): Promise<void> {
    if (this.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  }

  killNow(): void {
    if (this.exitCode === null) this.child.kill('SIGKILL');
  }

  output(): string {
    return this.tail.join('').slice(-6000);
  }
}

const RUNNING = new Set<ChildApp>();

/** Every child still running (exit and signal handlers kill them). */
export function runningChildApps(): ChildApp[] {
  return [...RUNNING];
}
