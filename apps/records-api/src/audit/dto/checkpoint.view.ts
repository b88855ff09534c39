import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class CheckpointView {
  @ApiProperty() seq: string;
  @ApiProperty() hash: string;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty() keyId: string;
  @ApiProperty({ description: 'Ed25519 over `audit-checkpoint:v1|{seq}|{hash}|{createdAt}`, base64' }) signature: string;
}

export class CheckpointPageView {
  @ApiProperty({ example: 'Ed25519' }) algorithm: string;
  @ApiProperty() keyId: string;
  @ApiProperty({ description: 'SPKI PEM public key, to verify the signatures offline' }) publicKey: string;
  @ApiProperty({ example: 'audit-checkpoint:v1|{seq}|{hash}|{createdAt}' }) signedMessage: string;
  @ApiProperty({ type: [CheckpointView] }) items: CheckpointView[];
  @ApiPropertyOptional({ type: String, nullable: true }) nextCursor: string | null;
}

export class CheckpointStatusView {
  @ApiProperty() seq: string;
  @ApiProperty() hash: string;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty() keyId: string;
  @ApiProperty() signatureValid: boolean;
  @ApiProperty() matchesChain: boolean;
}

export class ChainVerificationView {
  @ApiProperty() ok: boolean;
  @ApiProperty() checkedRows: number;
  @ApiPropertyOptional({
    type: String,
    nullable: true,
    description: 'First row that does not hold (or first row a checkpoint proves missing)',
  })
  firstBrokenSeq: string | null;
  @ApiPropertyOptional({
    type: String,
    nullable: true,
    enum: ['hash_mismatch', 'prev_hash_mismatch', 'checkpoint_mismatch', 'checkpoint_signature_invalid', 'rows_missing_after_checkpoint'],
  })
  problem: string | null;
  @ApiPropertyOptional({ type: String, nullable: true }) headSeq: string | null;
  @ApiPropertyOptional({ type: String, nullable: true }) headHash: string | null;
  @ApiProperty() checkpointsChecked: number;
  @ApiProperty() checkpointsUnverifiable: number;
  @ApiPropertyOptional({ type: CheckpointStatusView, nullable: true }) lastCheckpoint: CheckpointStatusView | null;
  @ApiProperty() durationMs: number;
}
