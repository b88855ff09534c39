import { Controller, Get, Query, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import type { ActorContext } from '@app/common';
import { Actor } from '../auth/authenticated-user';
import { Protected } from '../http/api-decorators';
import { AuditExportService } from './audit-export.service';
import { AuditIntegrityService } from './audit-integrity.service';
import { AuditQueryService } from './audit-query.service';
import { AccessAudited, Audited } from './route-audit.decorator';
import { AuditPageView } from './dto/audit-event.view';
import { CheckpointsQuery, ExportAuditQuery, ListAuditQuery } from './dto/audit-query.dto';
import { ChainVerificationView, CheckpointPageView } from './dto/checkpoint.view';

@ApiTags('audit')
@Controller('audit')
export class AuditController {
  constructor(
    private readonly query: AuditQueryService,
    private readonly exporter: AuditExportService,
    private readonly integrity: AuditIntegrityService,
  ) {}

  @Get()
  @Protected('auditor')
  @Audited('audit.read')
  @ApiOperation({
    summary: 'Query the audit trail (newest first, cursor pagination); the read is itself audited',
    description:
      'Role: auditor or admin. Filters by actor, action, target, outcome and time range; malformed or reversed ranges and unknown actions are 400. Each query writes its own audit row.',
  })
  @ApiOkResponse({ type: AuditPageView })
  list(@Query() query: ListAuditQuery, @Actor() actor: ActorContext): Promise<AuditPageView> {
    return this.query.list(query, actor);
  }

  @Get('export')
  @Protected('auditor')
  @Audited('audit.exported')
  @ApiOperation({
    summary: 'Stream the audit trail as NDJSON or CSV (seq order, up to the head at the start); audited before streaming',
    description:
      'Role: auditor or admin. Streams in constant memory, in seq order, up to the head at the start of the export; CSV cells are escaped against formula injection. The export is audited before the first byte is sent.',
  })
  @ApiOkResponse({
    description: 'One AuditEvent per line (NDJSON) or per row (CSV, formula cells defused); errors before streaming use the envelope',
    content: { 'application/x-ndjson': { schema: { type: 'string' } }, 'text/csv': { schema: { type: 'string' } } },
  })
  export(@Query() query: ExportAuditQuery, @Actor() actor: ActorContext, @Res() res: FastifyReply): Promise<void> {
    return this.exporter.export(query, actor, res);
  }

  @Get('verify')
  @Protected('auditor')
  @AccessAudited('audit.verified')
  @ApiOperation({
    summary: 'Recompute the hash chain and check it against the signed checkpoints',
    description:
      'Role: auditor or admin. Recomputes every chain and answers {ok, checkedRows, firstBrokenSeq}: the first edited row, or the first row a signed checkpoint proves missing.',
  })
  @ApiOkResponse({ type: ChainVerificationView })
  verify(): Promise<ChainVerificationView> {
    return this.integrity.verify();
  }

  @Get('checkpoints')
  @Protected('auditor')
  @AccessAudited('audit.read')
  @ApiOperation({
    summary: 'Signed chain-head checkpoints and the public key to verify them offline (newest first)',
    description:
      'Role: auditor or admin. Ed25519-signed checkpoints (sequence, chain heads, time) and the public key, so an archive can be verified outside this service.',
  })
  @ApiOkResponse({ type: CheckpointPageView })
  checkpoints(@Query() query: CheckpointsQuery): Promise<CheckpointPageView> {
    return this.integrity.checkpoints(query);
  }
}
