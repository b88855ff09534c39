import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';

export interface AppProcess {
  baseUrl: string;
  /** Everything the process wrote to stdout and stderr so far. */
  output: () => string;
  stop: () => Promise<void>;
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

/**
 * Runs the real records-api entry point (apps/records-api/src/main.ts) as a child process against
 * this run's database and captures its stdout and stderr byte for byte: whatever logger or stream
 * the app uses, a line it prints is in output().
 */
export async function startAppProcess(env: Record<string, string> = {}, timeoutMs = 60_000): Promise<AppProcess> {
  const root = join(__dirname, '..', '..');
  const port = await freePort();
  const chunks: Buffer[] = [];
  const child: ChildProcess = spawn(
    process.execPath,
    [
      require.resolve('ts-node/dist/bin.js'),
      '--transpile-only',
      '-r',
      'tsconfig-paths/register',
      join(root, 'apps/records-api/src/main.ts'),
    ],
    { cwd: root, env: { ...process.env, PORT: String(port), ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stdout?.on('data', (chunk: Buffer) => chunks.push(chunk));
  child.stderr?.on('data', (chunk: Buffer) => chunks.push(chunk));
  const output = () => Buffer.concat(chunks).toString('utf8');
  let exited: number | null = null;
  child.once('exit', (code) => {
    exited = code ?? -1;
  });

  const baseUrl = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (exited !== null) throw new Error(`records-api exited with ${exited} before it was live:\n${output().slice(-4000)}`);
    try {
      const res = await fetch(`${baseUrl}/health/live`);
      if (res.status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`records-api was not live within ${timeoutMs} ms:\n${output().slice(-4000)}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }

  const stop = async () => {
    if (exited !== null) return;
    const done = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await done;
    clearTimeout(timer);
  };
  return { baseUrl, output, stop };
}

/** Starts the records-api entry point with this environment and waits for it to exit (a refused boot). */
export async function bootExpectingExit(
  env: Record<string, string | undefined>,
  timeoutMs = 60_000,
): Promise<{ code: number | null; output: string }> {
  const root = join(__dirname, '..', '..');
  const port = await freePort();
  const merged: Record<string, string> = {};
  for (const [key, value] of Object.entries({ ...process.env, PORT: String(port), ...env })) if (value !== undefined) merged[key] = value;
  const child = spawn(
    process.execPath,
    [
      require.resolve('ts-node/dist/bin.js'),
      '--transpile-only',
      '-r',
      'tsconfig-paths/register',
      join(root, 'apps/records-api/src/main.ts'),
    ],
    { cwd: root, env: merged, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const chunks: Buffer[] = [];
  child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
  child.stderr.on('data', (chunk: Buffer) => chunks.push(chunk));
  const code = await new Promise<number | null>((resolve) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      resolve(null);
    }, timeoutMs);
    child.once('exit', (exitCode) => {
      clearTimeout(timer);
      resolve(exitCode);
    });
  });
  return { code, output: Buffer.concat(chunks).toString('utf8') };
}
