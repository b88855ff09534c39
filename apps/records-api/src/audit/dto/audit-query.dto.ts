import { ApiPropertyOptional, IntersectionType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsISO8601, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { AUDIT_ACTIONS, AUDIT_OUTCOMES } from '@app/common';

export const AUDIT_PAGE_DEFAULT = 50;
export const AUDIT_PAGE_MAX = 200;
export const EXPORT_FORMATS = ['ndjson', 'csv'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** Filters shared by the query and the export. `from` is inclusive, `to` exclusive. */
export class AuditFilterQuery {
  @ApiPropertyOptional({ description: 'Actor id (token subject, service name, or "anonymous")' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  actorId?: string;

  @ApiPropertyOptional({ enum: AUDIT_ACTIONS, description: 'Closed vocabulary; anything else is a 400' })
  @IsOptional()
  @IsIn(AUDIT_ACTIONS, { message: `must be one of the audit actions: ${AUDIT_ACTIONS.join(', ')}` })
  action?: string;

  @ApiPropertyOptional({ example: 'installation' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  targetType?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(200)
  targetId?: string;

  @ApiPropertyOptional({ enum: AUDIT_OUTCOMES })
  @IsOptional()
  @IsIn(AUDIT_OUTCOMES)
  outcome?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'Inclusive lower bound of occurredAt (ISO 8601)' })
  @IsOptional()
  @IsISO8601({ strict: true, strictSeparator: true }, { message: 'must be an ISO 8601 date-time' })
  from?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'Exclusive upper bound of occurredAt (ISO 8601)' })
  @IsOptional()
  @IsISO8601({ strict: true, strictSeparator: true }, { message: 'must be an ISO 8601 date-time' })
  to?: string;
}

export class ExportAuditQuery extends AuditFilterQuery {
  @ApiPropertyOptional({ enum: EXPORT_FORMATS, default: 'ndjson' })
  @IsOptional()
  @IsIn(EXPORT_FORMATS)
  format?: ExportFormat;
}

/** Cursor pagination shared by the audit query, the change log and the checkpoints. */
export class AuditPageQuery {
  @ApiPropertyOptional({ minimum: 1, maximum: AUDIT_PAGE_MAX, default: AUDIT_PAGE_DEFAULT })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(AUDIT_PAGE_MAX)
  limit?: number;

  @ApiPropertyOptional({ description: 'Opaque cursor from the previous page (nextCursor)' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  @Matches(/^[A-Za-z0-9_-]+$/, { message: 'is not a cursor this API issued' })
  cursor?: string;
}

export class ListAuditQuery extends IntersectionType(AuditFilterQuery, AuditPageQuery) {}

/** Cursor pagination for one installation's change log. */
export class ChangesQuery extends AuditPageQuery {}

export class CheckpointsQuery extends AuditPageQuery {}
