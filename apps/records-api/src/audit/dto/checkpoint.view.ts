import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class CheckpointView {
  @ApiProperty({ description: 'The chain whose head this is' }) chain: number;
  @ApiProperty() seq: string;
  @ApiProperty() hash: string;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty() keyId: string;
  @ApiProperty({
    description:
      'Ed25519 over `audit-checkpoint:v2|{chain}|{seq}|{hash}|{createdAt}`, base64; chain-0 checkpoints signed before parallel chains use `audit-checkpoint:v1|{seq}|{hash}|{createdAt}`',
  })
  signature: string;
}

export class CheckpointPageView {
  @ApiProperty({ example: 'Ed25519' }) algorithm: string;
  @ApiProperty() keyId: string;
  @ApiProperty({ description: 'SPKI PEM public key, to verify the signatures offline' }) publicKey: string;
  @ApiProperty({ example: 'audit-checkpoint:v2|{chain}|{seq}|{hash}|{createdAt}' }) signedMessage: string;
  @ApiProperty({
    example: 'audit-checkpoint:v1|{seq}|{hash}|{createdAt}',
    description: 'What chain-0 checkpoints signed before parallel chains existed cover',
  })
  legacySignedMessage: string;
  @ApiProperty({ type: [CheckpointView] }) items: CheckpointView[];
  @ApiPropertyOptional({ type: String, nullable: true }) nextCursor: string | null;
}

export class CheckpointStatusView {
  @ApiProperty() chain: number;
  @ApiProperty() seq: string;
  @ApiProperty() hash: string;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty() keyId: string;
  @ApiProperty() signatureValid: boolean;
  @ApiProperty() matchesChain: boolean;
}

export class ChainHeadView {
  @ApiProperty() chain: number;
  @ApiProperty() seq: string;
  @ApiProperty() hash: string;
  @ApiProperty() rows: number;
}

export class ChainVerificationView {
  @ApiProperty() ok: boolean;
  @ApiProperty() checkedRows: number;
  @ApiPropertyOptional({
    type: String,
    nullable: true,
    description: 'Lowest seq that does not hold in its chain (or first seq a checkpoint proves missing)',
  })
  firstBrokenSeq: string | null;
  @ApiPropertyOptional({ type: Number, nullable: true, description: 'The chain of firstBrokenSeq' }) brokenChain: number | null;
  @ApiPropertyOptional({
    type: String,
    nullable: true,
    enum: ['hash_mismatch', 'prev_hash_mismatch', 'checkpoint_mismatch', 'checkpoint_signature_invalid', 'rows_missing_after_checkpoint'],
  })
  problem: string | null;
  @ApiProperty({ description: 'How many hash chains hold rows' }) chains: number;
  @ApiProperty({ type: [ChainHeadView] }) chainHeads: ChainHeadView[];
  @ApiPropertyOptional({ type: String, nullable: true, description: 'Last row in seq order, whatever its chain' }) headSeq: string | null;
  @ApiPropertyOptional({ type: String, nullable: true }) headHash: string | null;
  @ApiProperty() checkpointsChecked: number;
  @ApiProperty() checkpointsUnverifiable: number;
  @ApiPropertyOptional({ type: CheckpointStatusView, nullable: true }) lastCheckpoint: CheckpointStatusView | null;
  @ApiProperty() durationMs: number;
}
