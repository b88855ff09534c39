import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { CREDENTIAL_STATES, INSTALLATION_STATUSES } from '@app/common';
import { DocumentationDto, VersionsDto } from './installation-input.dto';

export class MaskedSecretFieldView {
  @ApiProperty({ example: 'hmac-sha256:9f2c…' }) fingerprint: string;
  @ApiProperty({ example: 'a1b2', description: 'Last four characters; **** for short secrets' }) last4: string;
}

export class CredentialSummaryView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: 2 }) version: number;
  @ApiProperty({ enum: CREDENTIAL_STATES }) state: string;
  @ApiProperty({ example: 'hmac-sha256:9f2c…' }) fingerprint: string;
  @ApiProperty({ type: 'object', additionalProperties: { $ref: '#/components/schemas/MaskedSecretFieldView' } })
  fields: Record<string, MaskedSecretFieldView>;
  @ApiProperty({ format: 'date-time' }) submittedAt: string;
  @ApiProperty() submittedBy: string;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) verifiedAt: string | null;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) rotationDueAt: string | null;
}

export class EndpointsView {
  @ApiProperty({ example: 'https://api-sandbox.parkwhiz.com/v4' }) baseUrl: string;
  @ApiPropertyOptional({ type: 'object', additionalProperties: { type: 'string' } }) paths?: Record<string, string>;
}

export class MilestonesView {
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) authenticatedAt: string | null;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) initialSyncCompletedAt: string | null;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) authFailedAt: string | null;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) degradedAt: string | null;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) decommissionedAt: string | null;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) lastVerifiedAt: string | null;
}

export class InstallationView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ enum: ['spothero', 'parkwhiz'] }) vendor: string;
  @ApiProperty({ enum: ['sandbox', 'production'] }) environment: string;
  @ApiProperty() propertyId: string;
  @ApiProperty() propertyName: string;
  @ApiProperty({ example: 'parkwhiz:garage-12:sandbox' }) externalKey: string;
  @ApiProperty({ type: 'object', additionalProperties: true }) config: Record<string, unknown>;
  @ApiProperty({ type: EndpointsView }) endpoints: EndpointsView;
  @ApiProperty({ type: VersionsDto }) versions: VersionsDto;
  @ApiProperty({ nullable: true, type: String }) ownerTeam: string | null;
  @ApiProperty({ type: DocumentationDto }) documentation: DocumentationDto;
  @ApiProperty({ enum: INSTALLATION_STATUSES }) status: string;
  @ApiProperty({ format: 'date-time' }) statusChangedAt: string;
  @ApiProperty({ type: MilestonesView }) milestones: MilestonesView;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) installedAt: string | null;
  @ApiProperty({ nullable: true, type: String }) installedBy: string | null;
  @ApiProperty({ type: CredentialSummaryView, nullable: true, description: 'The credential in use' })
  activeCredential: CredentialSummaryView | null;
  @ApiProperty({ type: CredentialSummaryView, nullable: true, description: 'A submitted credential awaiting verification' })
  pendingCredential: CredentialSummaryView | null;
  @ApiProperty({ example: 3, description: 'Send as If-Match on PATCH/DELETE' }) version: number;
  @ApiProperty() createdBy: string;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ format: 'date-time' }) updatedAt: string;
}

export class InstallationPageView {
  @ApiProperty({ type: [InstallationView] }) items: InstallationView[];
  @ApiProperty({ nullable: true, type: String, description: 'Pass as cursor for the next page; null on the last page' })
  nextCursor: string | null;
}
