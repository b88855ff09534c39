import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsNotEmpty, IsObject, IsOptional, IsString, MaxLength, Min } from 'class-validator';
import { CredentialSummaryView } from '../../installations/dto/installation.view';

export class SubmitCredentialsDto {
  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'string' },
    example: { clientSecret: 'pk_live_…' },
    description: "The template's credentialFields. Stored encrypted; only fingerprints and last four characters are ever shown.",
  })
  @IsObject()
  credentials: Record<string, unknown>;

  @ApiPropertyOptional({ description: 'Why; required for production installations (or X-Change-Reason)' })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(1000)
  reason?: string;
}

export class CredentialSubmissionView {
  @ApiProperty({ type: CredentialSummaryView }) credential: CredentialSummaryView;
  @ApiProperty({ format: 'uuid', description: 'The queued verification' }) receiptId: string;
}

export class RevealCredentialDto {
  @ApiProperty({ example: 'INC-4821: vendor support needs the key re-entered in their portal', maxLength: 1000 })
  @IsString()
  @IsNotEmpty()
  @MaxLength(1000)
  reason: string;

  @ApiPropertyOptional({ description: 'Credential version; defaults to the active one' })
  @IsOptional()
  @IsInt()
  @Min(1)
  version?: number;
}

export class RevealedCredentialView {
  @ApiProperty() version: number;
  @ApiProperty() fingerprint: string;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'string' } }) credentials: Record<string, string>;
}
