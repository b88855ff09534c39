import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { ErrorEnvelopeDto } from './http/error-envelope';
import { MaskedSecretFieldView } from './installations/dto/installation.view';

export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Installation Records API')
    .setDescription(
      'System of record for SpotHero and ParkWhiz integration installations: configuration, encrypted credentials, ' +
        'verification, deployments and an immutable audit trail. Every error uses the ErrorEnvelope schema.',
    )
    .setVersion('1.0.0')
    .setContact('Installation Records maintainers', 'https://example.invalid/installation-records', 'it-integrations@example.invalid')
    .addServer('http://localhost:3000', 'local')
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' }, 'bearer')
    .addSecurityRequirements('bearer')
    .addTag('vendors', 'Vendor templates')
    .addTag('installations', 'Installation records')
    .addTag('credentials', 'Encrypted credentials')
    .addTag('verifications', 'Credential verification receipts')
    .addTag('audit', 'Audit trail, change log, chain verification')
    .addTag('health', 'Probes')
    .build();
  return SwaggerModule.createDocument(app, config, {
    extraModels: [ErrorEnvelopeDto, MaskedSecretFieldView],
    operationIdFactory: (controller, method) => `${controller.replace(/Controller$/, '')}_${method}`,
  });
}

/** Swagger UI at /docs, the document at /docs-json. */
export function setupOpenApi(app: INestApplication): void {
  SwaggerModule.setup('docs', app, () => buildOpenApiDocument(app), { jsonDocumentUrl: 'docs-json', useGlobalPrefix: false });
}
