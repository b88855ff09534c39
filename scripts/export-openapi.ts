import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AppModule } from '../apps/records-api/src/app.module';
import { GLOBAL_PREFIX, UNPREFIXED_ROUTES } from '../apps/records-api/src/create-app';
import { buildOpenApiDocument } from '../apps/records-api/src/openapi';

/**
 * `npm run openapi:export`: writes openapi.json from the code. Preview mode builds the module graph
 * without instantiating providers, so no database or broker is needed. A test fails when the
 * committed file differs from what the running app serves.
 */
async function main(): Promise<void> {
  const app = await NestFactory.create(AppModule, new FastifyAdapter(), { preview: true, logger: false });
  app.setGlobalPrefix(GLOBAL_PREFIX, { exclude: UNPREFIXED_ROUTES });
  const document = buildOpenApiDocument(app);
  writeFileSync(join(__dirname, '..', 'openapi.json'), JSON.stringify(document, null, 2) + '\n');
  await app.close();
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
