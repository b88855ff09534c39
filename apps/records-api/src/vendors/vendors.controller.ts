import { Controller, Get, Param } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiTags, ApiNotFoundResponse } from '@nestjs/swagger';
import { DomainError, getVendorTemplate, isVendor, VENDOR_TEMPLATES, type VendorTemplate } from '@app/common';
import { Protected } from '../http/api-decorators';
import { ErrorEnvelopeDto } from '../http/error-envelope';
import { NotAudited } from '../audit/route-audit.decorator';

const TEMPLATE_SCHEMA = {
  type: 'object',
  additionalProperties: true,
  description: 'Vendor template: form fields, endpoints, data flows, rubric, rotation policy',
} as const;

@ApiTags('vendors')
@NotAudited('static vendor templates shipped with the code: no installation data or secrets')
@Controller('vendors')
export class VendorsController {
  @Get()
  @Protected('viewer')
  @ApiOperation({
    summary: 'All vendor templates',
    description:
      'Roles: viewer, engineer, auditor, admin. The SpotHero and ParkWhiz templates: fields with type, pattern, example and secret flag, default endpoints per environment, data flows, documentation rubric and rotation policy.',
  })
  @ApiOkResponse({ schema: { type: 'array', items: TEMPLATE_SCHEMA } })
  list(): readonly VendorTemplate[] {
    return Object.values(VENDOR_TEMPLATES);
  }

  @Get(':vendor')
  @Protected('viewer')
  @ApiOperation({
    summary: 'One vendor template',
    description: "Roles: viewer, engineer, auditor, admin. One vendor's template; 404 for an unknown vendor.",
  })
  @ApiParam({ name: 'vendor', enum: ['spothero', 'parkwhiz'] })
  @ApiOkResponse({ schema: TEMPLATE_SCHEMA })
  @ApiNotFoundResponse({ type: ErrorEnvelopeDto })
  get(@Param('vendor') vendor: string): VendorTemplate {
    if (!isVendor(vendor))
      throw new DomainError('not_found', `unknown vendor ${vendor.slice(0, 40)}; known: spothero, parkwhiz`, [
        { path: 'path.vendor', message: 'unknown vendor' },
      ]);
    return getVendorTemplate(vendor);
  }
}
