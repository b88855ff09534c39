import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsISO8601,
  IsNotEmpty,
  IsObject,
  IsOptional,
  IsString,
  IsUrl,
  Matches,
  MaxLength,
  ValidateNested,
} from 'class-validator';

export const VENDOR_NAMES = ['spothero', 'parkwhiz'] as const;
export const ENVIRONMENTS = ['sandbox', 'production'] as const;

export class VersionsDto {
  @ApiPropertyOptional({ example: '7.4.2', description: 'Property management system version' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  pms?: string;

  @ApiPropertyOptional({ example: '2.1.0', description: 'Integration adapter version' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  adapter?: string;

  @ApiPropertyOptional({ example: 'v4', description: 'Partner API version in use' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  partnerApi?: string;
}

export class DataFlowDto {
  @ApiProperty({ example: 'Bookings pulled from Arrive' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name: string;

  @ApiProperty({ enum: ['pms_to_partner', 'partner_to_pms'] })
  @IsIn(['pms_to_partner', 'partner_to_pms'])
  direction: 'pms_to_partner' | 'partner_to_pms';

  @ApiProperty({ type: [String], example: ['booking id', 'licence plate', 'start/end time'] })
  @IsArray()
  @ArrayMaxSize(100)
  @IsString({ each: true })
  @MaxLength(200, { each: true })
  data: string[];

  @ApiProperty({ description: 'Whether personal data crosses this flow' })
  @IsBoolean()
  personalData: boolean;

  @ApiProperty({ enum: ['push', 'pull', 'webhook'] })
  @IsIn(['push', 'pull', 'webhook'])
  trigger: 'push' | 'pull' | 'webhook';

  @ApiProperty({ example: 'every 5 minutes' })
  @IsString()
  @MaxLength(200)
  frequency: string;

  @ApiProperty({ example: 'Upserted into the PMS reservation table; gate access granted by the PARCS' })
  @IsString()
  @MaxLength(2000)
  processing: string;
}

/** The documentation an installation carries; the vendor template's rubric scores its completeness. */
export class DocumentationDto {
  @ApiPropertyOptional({ type: [DataFlowDto], description: 'Pre-filled from the vendor template when omitted on create' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  @Type(() => DataFlowDto)
  dataFlows?: DataFlowDto[];

  @ApiPropertyOptional({ example: 'https://wiki.example.com/runbooks/parkwhiz-garage-12' })
  @IsOptional()
  @IsUrl({ protocols: ['https'], require_protocol: true })
  @MaxLength(2000)
  runbookUrl?: string;

  @ApiPropertyOptional({ example: 'integrations-oncall@example.com' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  escalationContact?: string;

  @ApiPropertyOptional({ example: 'partner-success@arrive.com', description: "The partner's technical contact" })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  partnerContact?: string;

  @ApiPropertyOptional({ example: 'Rotate yearly in the Arrive portal; submit via PUT /credentials; old key revoked after verification.' })
  @IsOptional()
  @IsString()
  @MaxLength(5000)
  rotationProcedure?: string;

  @ApiPropertyOptional({ example: 'FlashParking', description: 'The PARCS vendor that validates entries and exits' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  parcsVendor?: string;

  @ApiPropertyOptional({ example: 'Gate validation by licence plate through the PARCS vendor.' })
  @IsOptional()
  @IsString()
  @MaxLength(20000)
  notes?: string;
}

export class CreateInstallationDto {
  @ApiProperty({ enum: VENDOR_NAMES })
  @IsIn(VENDOR_NAMES)
  vendor: (typeof VENDOR_NAMES)[number];

  @ApiProperty({ enum: ENVIRONMENTS })
  @IsIn(ENVIRONMENTS)
  environment: (typeof ENVIRONMENTS)[number];

  @ApiProperty({ example: 'garage-12', description: "The facility's id in the PMS", pattern: '^[A-Za-z0-9._:-]{1,64}$' })
  @Matches(/^[A-Za-z0-9._:-]{1,64}$/, { message: 'must be 1-64 characters of letters, digits, . _ : -' })
  propertyId: string;

  @ApiProperty({ example: 'Garage 12 — 5th & Main' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  propertyName: string;

  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: "Non-secret settings, validated against the vendor template's configFields",
  })
  @IsObject()
  config: Record<string, unknown>;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: { type: 'string' },
    description: 'Secret settings (credentialFields of the template). Stored encrypted; queues a verification.',
  })
  @IsOptional()
  @IsObject()
  credentials?: Record<string, unknown>;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description: 'Base URL and endpoint paths; defaults to the template for the environment. Production requires https.',
  })
  @IsOptional()
  @IsObject()
  endpoints?: Record<string, unknown>;

  @ApiPropertyOptional({ type: VersionsDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => VersionsDto)
  versions?: VersionsDto;

  @ApiPropertyOptional({ example: 'parking-integrations' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  ownerTeam?: string;

  @ApiPropertyOptional({ type: DocumentationDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => DocumentationDto)
  documentation?: DocumentationDto;

  @ApiPropertyOptional({ example: '2026-11-02T14:00:00Z', description: 'When the integration was installed (ISO 8601)' })
  @IsOptional()
  @IsISO8601({ strict: true })
  installedAt?: string;

  @ApiPropertyOptional({ example: 'alice@example.com' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  installedBy?: string;
}

/** Vendor, environment and property are the record's identity: they cannot change. */
export class UpdateInstallationDto {
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  propertyName?: string;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true, description: 'Merged into the stored config, then validated whole' })
  @IsOptional()
  @IsObject()
  config?: Record<string, unknown>;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true, description: 'Replaces the stored endpoints' })
  @IsOptional()
  @IsObject()
  endpoints?: Record<string, unknown>;

  @ApiPropertyOptional({ type: VersionsDto, description: 'Merged into the stored versions' })
  @IsOptional()
  @ValidateNested()
  @Type(() => VersionsDto)
  versions?: VersionsDto;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(100)
  ownerTeam?: string;

  @ApiPropertyOptional({ type: DocumentationDto, description: 'Merged into the stored documentation' })
  @IsOptional()
  @ValidateNested()
  @Type(() => DocumentationDto)
  documentation?: DocumentationDto;

  @ApiPropertyOptional()
  @IsOptional()
  @IsISO8601({ strict: true })
  installedAt?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(200)
  installedBy?: string;

  @ApiPropertyOptional({ description: 'Why: required for production installations (or the X-Change-Reason header)' })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(1000)
  reason?: string;
}
