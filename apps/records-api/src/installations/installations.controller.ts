import { Body, Controller, Delete, Get, Headers, HttpCode, Patch, Post, Query, Res } from '@nestjs/common';
import {
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiHeader,
  ApiOkResponse,
  ApiOperation,
  ApiPreconditionFailedResponse,
  ApiTags,
  ApiUnprocessableEntityResponse,
  ApiResponse,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { DomainError, type ActorContext } from '@app/common';
import { Actor } from '../auth/authenticated-user';
import { ApiUuidParam, Protected, UuidParam } from '../http/api-decorators';
import { ErrorEnvelopeDto } from '../http/error-envelope';
import { IfMatchVersion } from '../http/if-match';
import { CreateInstallationDto, UpdateInstallationDto } from './dto/installation-input.dto';
import { InstallationPageView, InstallationView } from './dto/installation.view';
import { ListInstallationsQuery } from './dto/list-installations.query';
import { InstallationsService } from './installations.service';
import { AccessAudited, Audited, INSTALLATION_TARGET } from '../audit/route-audit.decorator';

const IDEMPOTENCY_KEY = /^[A-Za-z0-9._:-]{8,128}$/;
const ChangeReasonHeader = ApiHeader({
  name: 'X-Change-Reason',
  required: false,
  description: 'Why; required for production installations',
});
const IfMatchHeader = ApiHeader({ name: 'If-Match', required: true, description: 'The installation version the change is based on' });
const StaleVersion = ApiPreconditionFailedResponse({ type: ErrorEnvelopeDto, description: 'If-Match is stale' });
const MissingVersion = ApiResponse({ status: 428, type: ErrorEnvelopeDto, description: 'If-Match is missing' });

@ApiTags('installations')
@Controller('installations')
export class InstallationsController {
  constructor(private readonly installations: InstallationsService) {}

  @Post()
  @Protected('engineer')
  @Audited('installation.created')
  @ApiOperation({
    summary: 'Create an installation (optionally with credentials, which queues a verification)',
    description:
      'Role: engineer or admin. Config and credentials are validated against the vendor template (every bad field named by path). externalKey must be unique (409). Send Idempotency-Key to make retries safe: a retry returns the first result.',
  })
  @ApiHeader({ name: 'Idempotency-Key', required: false, description: 'Retry-safe create: the same key returns the first result' })
  @ApiCreatedResponse({ type: InstallationView })
  @ApiOkResponse({ type: InstallationView, description: 'Replay of an earlier create with the same Idempotency-Key' })
  @ApiConflictResponse({ type: ErrorEnvelopeDto, description: 'vendor + propertyId + environment already recorded' })
  @ApiUnprocessableEntityResponse({ type: ErrorEnvelopeDto, description: 'Idempotency-Key reused with another body' })
  async create(
    @Body() dto: CreateInstallationDto,
    @Actor() actor: ActorContext,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Res({ passthrough: true }) res: FastifyReply,
  ): Promise<InstallationView> {
    if (idempotencyKey !== undefined && !IDEMPOTENCY_KEY.test(idempotencyKey)) {
      throw DomainError.validation([{ path: 'header.Idempotency-Key', message: 'must be 8-128 characters of letters, digits, . _ : -' }]);
    }
    const { view, replayed } = await this.installations.create(dto, actor, idempotencyKey);
    res.status(replayed ? 200 : 201).header('ETag', `"${view.version}"`);
    if (replayed) res.header('Idempotent-Replayed', 'true');
    return view;
  }

  @Get()
  @Protected('viewer')
  @AccessAudited('installation.listed')
  @ApiOperation({
    summary: 'List installations (filters, cursor pagination, newest first)',
    description:
      'Roles: viewer, engineer, auditor, admin. Filters: vendor, status, environment, propertyId, text on the property name; stable order with keyset cursors; page size has a default and a maximum.',
  })
  @ApiOkResponse({ type: InstallationPageView })
  list(@Query() query: ListInstallationsQuery): Promise<InstallationPageView> {
    return this.installations.list(query);
  }

  @Get(':id')
  @Protected('viewer')
  @AccessAudited('installation.read', INSTALLATION_TARGET)
  @ApiUuidParam()
  @ApiOperation({
    summary: 'One installation; secrets masked',
    description:
      'Roles: viewer, engineer, auditor, admin. The installation with its endpoints, versions, documentation, status milestones and masked active credential. The read is recorded as an access event. ETag carries the version for If-Match.',
  })
  @ApiOkResponse({ type: InstallationView })
  async get(@UuidParam() id: string, @Res({ passthrough: true }) res: FastifyReply): Promise<InstallationView> {
    const view = await this.installations.get(id);
    res.header('ETag', `"${view.version}"`);
    return view;
  }

  @Patch(':id')
  @Protected('engineer')
  @Audited('installation.updated', { target: INSTALLATION_TARGET })
  @ApiUuidParam()
  @IfMatchHeader
  @ChangeReasonHeader
  @StaleVersion
  @MissingVersion
  @ApiConflictResponse({ type: ErrorEnvelopeDto, description: 'Installation is decommissioned' })
  @ApiOperation({
    summary: 'Change an installation (optimistic concurrency with If-Match)',
    description:
      'Role: engineer or admin. Requires If-Match with the current version (428 without, 412 when stale). Changes to a production installation need a reason (X-Change-Reason). Every changed field lands in the change log.',
  })
  @ApiOkResponse({ type: InstallationView })
  async update(
    @UuidParam() id: string,
    @Body() dto: UpdateInstallationDto,
    @IfMatchVersion() version: number,
    @Actor() actor: ActorContext,
    @Res({ passthrough: true }) res: FastifyReply,
  ): Promise<InstallationView> {
    const view = await this.installations.update(id, dto, version, actor);
    res.header('ETag', `"${view.version}"`);
    return view;
  }

  @Delete(':id')
  @HttpCode(200)
  @Protected('engineer')
  @Audited('installation.decommissioned', { target: INSTALLATION_TARGET })
  @ApiUuidParam()
  @IfMatchHeader
  @ChangeReasonHeader
  @StaleVersion
  @MissingVersion
  @ApiConflictResponse({ type: ErrorEnvelopeDto, description: 'Already decommissioned' })
  @ApiOperation({
    summary: 'Decommission (soft: the record and its history stay)',
    description:
      'Role: engineer or admin. Moves the installation to decommissioned; nothing is deleted and no further verification runs. Requires If-Match; production needs a reason.',
  })
  @ApiOkResponse({ type: InstallationView })
  decommission(@UuidParam() id: string, @IfMatchVersion() version: number, @Actor() actor: ActorContext): Promise<InstallationView> {
    return this.installations.decommission(id, version, actor);
  }
}
