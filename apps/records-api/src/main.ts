import { EnvironmentVariables } from '@app/common';
import { createApp } from './create-app';

async function bootstrap(): Promise<void> {
  const app = await createApp();
  await app.listen(app.get(EnvironmentVariables).PORT);
}

bootstrap().catch((error: unknown) => {
  process.stderr.write(`records-api failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
