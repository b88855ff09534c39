import { Body, Controller, Get, Header, HttpCode, Post, Put } from '@nestjs/common';
import { ApiAcceptedResponse, ApiConflictResponse, ApiHeader, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { ActorContext } from '@app/common';
import { Actor } from '../auth/authenticated-user';
import { ApiUuidParam, Protected, UuidParam } from '../http/api-decorators';
import { ErrorEnvelopeDto } from '../http/error-envelope';
import { CredentialSummaryView } from '../installations/dto/installation.view';
import { CredentialSubmissionView, RevealCredentialDto, RevealedCredentialView, SubmitCredentialsDto } from './dto/credentials.dto';
import { CredentialsService } from './credentials.service';
import { AccessAudited, Audited, INSTALLATION_TARGET } from '../audit/route-audit.decorator';

@ApiTags('credentials')
@Controller('installations/:id/credentials')
export class CredentialsController {
  constructor(private readonly credentials: CredentialsService) {}

  @Put()
  @HttpCode(202)
  @Protected('engineer')
  @Audited('credential.submitted', { target: INSTALLATION_TARGET })
  @ApiUuidParam()
  @ApiHeader({ name: 'X-Change-Reason', required: false, description: 'Why; required for production installations' })
  @ApiOperation({
    summary: 'Submit or rotate credentials; stored encrypted and queued for verification',
    description:
      'Role: engineer or admin. Validates the fields against the vendor template, stores a new credential version encrypted (AES-256-GCM) and queues its verification; answers 202 with the receipt id. The previous version stays active until the new one verifies. A production installation needs a reason (X-Change-Reason). Responses show only fingerprints and the last four characters.',
  })
  @ApiAcceptedResponse({ type: CredentialSubmissionView })
  @ApiConflictResponse({ type: ErrorEnvelopeDto, description: 'Installation is decommissioned' })
  submit(@UuidParam() id: string, @Body() dto: SubmitCredentialsDto, @Actor() actor: ActorContext): Promise<CredentialSubmissionView> {
    return this.credentials.submit(id, dto.credentials, { ...actor, reason: dto.reason ?? actor.reason ?? null });
  }

  @Get()
  @Protected('viewer')
  @AccessAudited('installation.read', INSTALLATION_TARGET)
  @ApiUuidParam()
  @ApiOperation({
    summary: 'Credential versions, masked',
    description:
      'Roles: viewer, engineer, auditor, admin. Every credential version of the installation, newest first, with its state, fingerprint, last four characters and rotation due date; never secret material.',
  })
  @ApiOkResponse({ type: [CredentialSummaryView] })
  list(@UuidParam() id: string): Promise<CredentialSummaryView[]> {
    return this.credentials.listVersions(id);
  }

  @Post('reveal')
  @HttpCode(200)
  // Plaintext must never sit in a browser or proxy cache.
  @Header('Cache-Control', 'no-store')
  @Protected('admin')
  // Secret material: failed and refused attempts are recorded too.
  @Audited('credential.revealed', { target: INSTALLATION_TARGET, recordFailures: true })
  @ApiUuidParam()
  @ApiOperation({
    summary: 'Reveal a credential in plaintext: admin only, reason required, always audited',
    description:
      'Role: admin. Returns the plaintext of the active version (or of `version`) once. The reason is required; the audit row (fingerprint and reason, never the value) commits before the value is returned, and refused attempts are audited too.',
  })
  @ApiOkResponse({ type: RevealedCredentialView })
  reveal(@UuidParam() id: string, @Body() dto: RevealCredentialDto, @Actor() actor: ActorContext): Promise<RevealedCredentialView> {
    return this.credentials.reveal(id, dto.reason, dto.version, actor);
  }
}
