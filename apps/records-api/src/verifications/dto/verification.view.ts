import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { FAILURE_CLASSES, VERIFICATION_TRIGGERS } from '@app/common';

export class VerificationRequestedView {
  @ApiProperty({ format: 'uuid', description: 'The queued verification receipt' }) receiptId: string;
}

export class VerificationReceiptView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) credentialVersionId: string;
  @ApiProperty({ enum: VERIFICATION_TRIGGERS }) trigger: string;
  @ApiProperty({ enum: ['queued', 'completed'] }) state: string;
  @ApiProperty({ enum: ['success', 'failure'], nullable: true, type: String }) outcome: string | null;
  @ApiProperty({ enum: FAILURE_CLASSES, nullable: true, type: String }) failureClass: string | null;
  @ApiProperty({ nullable: true, type: String, example: 'token endpoint answered 401 invalid_client' }) detail: string | null;
  @ApiProperty({ nullable: true, type: String, example: 'POST' }) probeMethod: string | null;
  @ApiProperty({ nullable: true, type: String, example: 'api.parkwhiz.com' }) probeHost: string | null;
  @ApiProperty({ nullable: true, type: String, example: '/v4/oauth/token' }) probePath: string | null;
  @ApiProperty({ nullable: true, type: Number }) httpStatus: number | null;
  @ApiProperty({ nullable: true, type: Number }) latencyMs: number | null;
  @ApiProperty({ nullable: true, type: String }) workerId: string | null;
  @ApiProperty() requestedBy: string;
  @ApiProperty({ format: 'date-time' }) requestedAt: string;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) startedAt: string | null;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) completedAt: string | null;
}

export class VerificationPageView {
  @ApiProperty({ type: [VerificationReceiptView] }) items: VerificationReceiptView[];
  @ApiProperty({ nullable: true, type: String, description: 'Pass as cursor for the next page; null on the last page' })
  nextCursor: string | null;
}

export const MAX_RECEIPT_PAGE = 100;

export class ListVerificationsQuery {
  @ApiPropertyOptional({ minimum: 1, maximum: MAX_RECEIPT_PAGE, default: 25 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_RECEIPT_PAGE)
  limit?: number;

  @ApiPropertyOptional({ description: 'Opaque cursor from the previous page (nextCursor)' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  @Matches(/^[A-Za-z0-9_-]+$/, { message: 'is not a cursor this API issued' })
  cursor?: string;
}
