import { AuditCheckpoint } from './audit-checkpoint.entity';
import { AuditEvent } from './audit-event.entity';
import { CredentialVersion } from './credential-version.entity';
import { Deployment } from './deployment.entity';
import { IdempotencyRecord } from './idempotency-record.entity';
import { Installation } from './installation.entity';
import { OutboxEvent } from './outbox-event.entity';
import { ProcessedMessage } from './processed-message.entity';
import { VerificationReceipt } from './verification-receipt.entity';

export * from './audit-checkpoint.entity';
export * from './audit-event.entity';
export * from './credential-version.entity';
export * from './deployment.entity';
export * from './idempotency-record.entity';
export * from './installation.entity';
export * from './outbox-event.entity';
export * from './processed-message.entity';
export * from './verification-receipt.entity';

/** Every entity, for the one data source. */
export const ENTITIES = [
  AuditCheckpoint,
  AuditEvent,
  CredentialVersion,
  Deployment,
  IdempotencyRecord,
  Installation,
  OutboxEvent,
  ProcessedMessage,
  VerificationReceipt,
];
