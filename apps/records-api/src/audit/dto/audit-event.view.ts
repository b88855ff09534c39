import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ACTOR_TYPES, AUDIT_OUTCOMES } from '@app/common';

export class AuditActorView {
  @ApiProperty({ enum: ACTOR_TYPES }) type: string;
  @ApiProperty() id: string;
  @ApiPropertyOptional({ type: String, nullable: true }) name: string | null;
  @ApiPropertyOptional({ type: String, nullable: true }) issuer: string | null;
}

/** Before/after may be any JSON value: documented as such, so schema checks accept strings and arrays too. */
const ANY_JSON = {
  nullable: true,
  description: 'Any JSON value; secrets only as fingerprints',
  oneOf: [{ type: 'string' }, { type: 'number' }, { type: 'boolean' }, { type: 'object' }, { type: 'array', items: {} }],
};

export class FieldChangeView {
  @ApiProperty({ example: 'config.scope' }) field: string;
  @ApiProperty(ANY_JSON) before: unknown;
  @ApiProperty(ANY_JSON) after: unknown;
}

export class AuditEventView {
  @ApiProperty({ example: '1042' }) seq: string;
  @ApiProperty({ example: 3, description: 'The hash chain the row belongs to; prevHash is the hash of the previous row of this chain' })
  chain: number;
  @ApiProperty({ format: 'date-time' }) occurredAt: string;
  @ApiProperty({ type: AuditActorView }) actor: AuditActorView;
  @ApiProperty({ example: 'installation.updated' }) action: string;
  @ApiPropertyOptional({ type: String, nullable: true }) targetType: string | null;
  @ApiPropertyOptional({ type: String, nullable: true }) targetId: string | null;
  @ApiProperty({ enum: AUDIT_OUTCOMES }) outcome: string;
  @ApiPropertyOptional({ type: String, nullable: true }) reason: string | null;
  @ApiPropertyOptional({ type: String, nullable: true }) requestId: string | null;
  @ApiPropertyOptional({ type: String, nullable: true }) sourceIp: string | null;
  @ApiPropertyOptional({ type: [FieldChangeView], nullable: true }) changes: FieldChangeView[] | null;
  @ApiPropertyOptional({ type: 'object', additionalProperties: true, nullable: true }) metadata: Record<string, unknown> | null;
  @ApiProperty() prevHash: string;
  @ApiProperty() hash: string;
}

export class AuditPageView {
  @ApiProperty({ type: [AuditEventView] }) items: AuditEventView[];
  @ApiPropertyOptional({ type: String, nullable: true }) nextCursor: string | null;
}

/** One change to an installation: who, why, in which request, which fields. */
export class ChangeEntryView {
  @ApiProperty() seq: string;
  @ApiProperty({ example: 'installation.updated' }) action: string;
  @ApiProperty({ format: 'date-time' }) occurredAt: string;
  @ApiProperty({ type: AuditActorView }) actor: AuditActorView;
  @ApiPropertyOptional({ type: String, nullable: true }) reason: string | null;
  @ApiPropertyOptional({ type: String, nullable: true, description: 'Groups every change of one request or import' }) requestId:
    string | null;
  @ApiProperty({ type: [FieldChangeView] }) changes: FieldChangeView[];
}

export class ChangePageView {
  @ApiProperty({ type: [ChangeEntryView] }) items: ChangeEntryView[];
  @ApiPropertyOptional({ type: String, nullable: true }) nextCursor: string | null;
}
