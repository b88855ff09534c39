import 'reflect-metadata';
import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { loadEnvironment, migrateDatabase } from '@app/common';

/**
 * `npm start`: migrations, then records-api and verifier-worker side by side (built output).
 * A signal is passed on to both; if either exits, the other is stopped and the exit code kept.
 */
async function main(): Promise<void> {
  const env = loadEnvironment();
  await migrateDatabase({ migrationUrl: env.MIGRATION_DATABASE_URL, appUrl: env.DATABASE_URL });
  const root = join(__dirname, '..');
  // The API's heap cap matches `npm run start:api` and the Dockerfile (README, "Memory").
  const children: ChildProcess[] = [
    fork(join(root, 'apps/records-api/src/main.js'), { execArgv: [...process.execArgv, '--max-old-space-size=256'] }),
    fork(join(root, 'apps/verifier-worker/src/main.js')),
  ];
  let exiting = false;
  const stopAll = (signal: NodeJS.Signals): void => {
    exiting = true;
    children.forEach((child) => child.exitCode === null && child.kill(signal));
  };
  process.on('SIGINT', () => stopAll('SIGINT'));
  process.on('SIGTERM', () => stopAll('SIGTERM'));
  children.forEach((child) =>
    child.on('exit', (code) => {
      if (!exiting) stopAll('SIGTERM');
      if (children.every((c) => c.exitCode !== null || c.signalCode !== null)) process.exit(code ?? 0);
    }),
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`start failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
