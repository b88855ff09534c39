import { spawn, type ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';

/** A server under test in its own process, so it gets its own event loop and CPU like in production. */
export class ChildServer {
  private readonly output: string[] = [];
  private exited = false;

  private constructor(
    readonly name: string,
    readonly baseUrl: string,
    private readonly child: ChildProcess,
  ) {
    const keep = (chunk: Buffer): void => {
      this.output.push(chunk.toString('utf8'));
      if (this.output.length > 50) this.output.shift();
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    child.on('exit', () => {
      this.exited = true;
    });
  }

  /**
   * Starts `node <nodeArgs> <script>` and waits until `readyPath` answers 200. A `.ts` script runs
   * through ts-node; a `.js` one (the built output) runs as in production.
   */
  static async start(options: {
    name: string;
    script: string;
    port: number;
    env: NodeJS.ProcessEnv;
    nodeArgs?: string[];
    /** Modules loaded before the script, after the TypeScript loaders (so they may be .ts). */
    preload?: string[];
    readyPath?: string;
  }): Promise<ChildServer> {
    const loaders = options.script.endsWith('.js') ? [] : ['-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register'];
    const preload = (options.preload ?? []).flatMap((module) => ['-r', module]);
    const args = [...(options.nodeArgs ?? []), ...loaders, ...preload, options.script];
    const child = spawn(process.execPath, args, { env: { ...options.env, PORT: String(options.port) }, stdio: ['ignore', 'pipe', 'pipe'] });
    const server = new ChildServer(options.name, `http://127.0.0.1:${options.port}`, child);
    RUNNING.add(server);
    await server.waitUntilReady(options.readyPath ?? '/health/live', 90_000);
    return server;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  private async waitUntilReady(path: string, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.exited) throw new Error(`${this.name} exited before it was ready:\n${this.output.join('')}`);
      try {
        const response = await fetch(`${this.baseUrl}${path}`);
        if (response.status === 200) return;
      } catch {
        // Not listening yet.
      }
      await sleep(250);
    }
    throw new Error(`${this.name} was not ready after ${timeoutMs} ms:\n${this.output.join('')}`);
  }

  /** SIGTERM, then SIGKILL if it is still there after a grace period. */
  async stop(graceMs = 5000): Promise<void> {
    RUNNING.delete(this);
    if (this.exited) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  }

  /** Last resort on process exit: synchronous, no waiting. */
  killNow(): void {
    if (!this.exited) this.child.kill('SIGKILL');
  }

  recentOutput(): string {
    return this.output.join('');
  }
}

const RUNNING = new Set<ChildServer>();

/** Every child still running, for the bench's exit and signal handlers. */
export function runningServers(): ChildServer[] {
  return [...RUNNING];
}
