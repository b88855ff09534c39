import { EnvironmentVariables } from '@app/common';
import { createApp } from './create-app';

async function bootstrap(): Promise<void> {
  const app = await createApp();
  // Every interface, as Express did by default (Fastify's default is localhost only: unreachable in a container).
  await app.listen(app.get(EnvironmentVariables).PORT, '0.0.0.0');
}

bootstrap().catch((error: unknown) => {
  process.stderr.write(`records-api failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
