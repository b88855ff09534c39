import 'reflect-metadata';
import { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { EnvironmentVariables } from '@app/common';
import { AppModule } from './app.module';
import { ErrorEnvelopeFilter } from './http/error-envelope.filter';
import { createRootLogger, JsonLogger, requestLogger } from './http/logging';
import { requestIdMiddleware } from './http/request-id.middleware';
import { createValidationPipe } from './http/validation.pipe';
import { setupOpenApi } from './openapi';

/** Builds the configured application; main.ts listens, tests and the OpenAPI export reuse it. */
export async function createApp(): Promise<INestApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule, { bodyParser: false, bufferLogs: true });
  const env = app.get(EnvironmentVariables);
  const logger = createRootLogger(env.LOG_LEVEL);
  app.useLogger(new JsonLogger(logger));
  app.disable('x-powered-by');
  // Express would hash every response body for a weak ETag; routes set the version ETag themselves.
  app.set('etag', false);
  // Behind one proxy hop (load balancer); a client-sent X-Forwarded-For chain is not trusted beyond it.
  app.set('trust proxy', 1);
  app.use(requestIdMiddleware);
  app.useBodyParser('json', { limit: env.BODY_LIMIT_BYTES, strict: true });
  app.use(requestLogger(logger));
  app.setGlobalPrefix('v1', { exclude: ['health/live', 'health/ready', 'metrics'] });
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(new ErrorEnvelopeFilter());
  app.enableShutdownHooks();
  setupOpenApi(app);
  return app;
}
