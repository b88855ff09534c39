import { createWorker } from './create-worker';

async function bootstrap(): Promise<void> {
  const worker = await createWorker();
  // SIGTERM/SIGINT: stop consuming, finish the messages in hand, then close pools and connections.
  worker.enableShutdownHooks();
}

bootstrap().catch((error: unknown) => {
  process.stderr.write(`verifier-worker failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
