import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiUuidParam, Protected, UuidParam } from '../http/api-decorators';
import { ChangePageView } from './dto/audit-event.view';
import { ChangesQuery } from './dto/audit-query.dto';
import { InstallationChangesService } from './installation-changes.service';
import { AccessAudited, INSTALLATION_TARGET } from './route-audit.decorator';

@ApiTags('installations')
@Controller('installations/:id/changes')
export class InstallationChangesController {
  constructor(private readonly changes: InstallationChangesService) {}

  @Get()
  @Protected('viewer')
  @AccessAudited('installation.read', INSTALLATION_TARGET)
  @ApiUuidParam()
  @ApiOperation({
    summary: 'Field-level change log (before/after, actor, reason, request id), newest first',
    description:
      'Roles: viewer, engineer, auditor, admin. Every change to the installation, whatever made it (API, import, worker status changes): field, before and after (secret fields only as fingerprints), actor, reason and request id; cursor pagination.',
  })
  @ApiOkResponse({ type: ChangePageView })
  list(@UuidParam() id: string, @Query() query: ChangesQuery): Promise<ChangePageView> {
    return this.changes.list(id, query);
  }
}
