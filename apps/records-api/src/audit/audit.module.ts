import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { CheckpointSigner, EnvironmentVariables } from '@app/common';
import { AccessEventBuffer } from './access-event-buffer';
import { AuditCheckpointService } from './audit-checkpoint.service';
import { AuditController } from './audit.controller';
import { AuditExportService } from './audit-export.service';
import { AuditIntegrityService } from './audit-integrity.service';
import { AuditQueryService } from './audit-query.service';
import { InstallationChangesController } from './installation-changes.controller';
import { InstallationChangesService } from './installation-changes.service';
import { RefusedRequestRecorder } from './refused-request-recorder';
import { RouteAuditRegistry } from './route-audit-registry';

/** The audit trail's API, its integrity checks, and the recording of reads and refusals. */
@Module({
  imports: [DiscoveryModule],
  controllers: [AuditController, InstallationChangesController],
  providers: [
    {
      provide: CheckpointSigner,
      inject: [EnvironmentVariables],
      useFactory: (env: EnvironmentVariables) => CheckpointSigner.fromConfig(env.AUDIT_CHECKPOINT_KEY),
    },
    AccessEventBuffer,
    AuditCheckpointService,
    AuditExportService,
    AuditIntegrityService,
    AuditQueryService,
    InstallationChangesService,
    RefusedRequestRecorder,
    RouteAuditRegistry,
  ],
  exports: [AccessEventBuffer, RouteAuditRegistry, AuditCheckpointService],
})
export class AuditModule {}
