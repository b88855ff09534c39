import { Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { ApiAcceptedResponse, ApiConflictResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { ActorContext } from '@app/common';
import { Actor } from '../auth/authenticated-user';
import { ApiUuidParam, Protected, UuidParam } from '../http/api-decorators';
import { ErrorEnvelopeDto } from '../http/error-envelope';
import { ListVerificationsQuery, VerificationPageView, VerificationRequestedView } from './dto/verification.view';
import { VerificationsService } from './verifications.service';
import { AccessAudited, Audited, INSTALLATION_TARGET } from '../audit/route-audit.decorator';

@ApiTags('verifications')
@Controller('installations/:id/verifications')
export class VerificationsController {
  constructor(private readonly verifications: VerificationsService) {}

  @Post()
  @HttpCode(202)
  @Protected('engineer')
  @Audited('verification.requested', { target: INSTALLATION_TARGET })
  @ApiUuidParam()
  @ApiOperation({
    summary: 'Check the credentials now (the active one, else the newest pending one)',
    description:
      "Role: engineer or admin. Queues a verification of the installation's credential against the partner and answers 202 with the receipt id; 409 when the installation has no credential or is decommissioned.",
  })
  @ApiAcceptedResponse({ type: VerificationRequestedView })
  @ApiConflictResponse({ type: ErrorEnvelopeDto, description: 'No credential to verify, or the installation is decommissioned' })
  request(@UuidParam() id: string, @Actor() actor: ActorContext): Promise<VerificationRequestedView> {
    return this.verifications.request(id, actor);
  }

  @Get()
  @Protected('viewer')
  @AccessAudited('installation.read', INSTALLATION_TARGET)
  @ApiUuidParam()
  @ApiOperation({
    summary: 'Verification receipts, newest first',
    description:
      'Roles: viewer, engineer, auditor, admin. The verification receipts of the installation: outcome, failure class, probe, HTTP status, latency, attempts; cursor pagination.',
  })
  @ApiOkResponse({ type: VerificationPageView })
  list(@UuidParam() id: string, @Query() query: ListVerificationsQuery): Promise<VerificationPageView> {
    return this.verifications.list(id, query);
  }
}
