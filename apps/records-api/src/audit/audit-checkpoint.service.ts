import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { CheckpointSigner, EnvironmentVariables, type SignedCheckpoint } from '@app/common';

/**
 * Signs the chain head periodically. Every replica runs it; the checkpoint's primary key is the
 * head seq, so two replicas signing the same head write one row (ON CONFLICT DO NOTHING needs only
 * INSERT, which is all the application role has). Each checkpoint is also logged: a copy outside
 * the database that a superuser cannot rewrite.
 */
@Injectable()
export class AuditCheckpointService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(AuditCheckpointService.name);
  private timer: NodeJS.Timeout | null = null;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly signer: CheckpointSigner,
    private readonly env: EnvironmentVariables,
  ) {}

  onApplicationBootstrap(): void {
    if (this.env.AUDIT_CHECKPOINT_INTERVAL_MS === 0) return;
    this.timer = setInterval(() => {
      this.writeCheckpoint().catch((error: unknown) => this.logger.error({ err: error }, 'audit checkpoint failed'));
    }, this.env.AUDIT_CHECKPOINT_INTERVAL_MS);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** Signs the current head unless it is already checkpointed; returns the new checkpoint, if any. */
  async writeCheckpoint(): Promise<SignedCheckpoint | null> {
    const head: Array<{ seq: string; hash: string }> = await this.dataSource.query(
      `SELECT e.seq, e.hash FROM audit_events e
        WHERE e.seq > COALESCE((SELECT max(seq) FROM audit_checkpoints), 0)
        ORDER BY e.seq DESC LIMIT 1`,
    );
    if (head.length === 0) return null;
    const checkpoint = this.signer.sign(head[0].seq, head[0].hash, new Date());
    const inserted: unknown[] = await this.dataSource.query(
      `INSERT INTO audit_checkpoints (seq, hash, created_at, key_id, signature) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (seq) DO NOTHING RETURNING seq`,
      [checkpoint.seq, checkpoint.hash, checkpoint.createdAt, checkpoint.keyId, checkpoint.signature],
    );
    if (inserted.length === 0) return null;
    this.logger.log({ auditCheckpoint: { ...checkpoint, createdAt: checkpoint.createdAt.toISOString() } }, 'audit checkpoint signed');
    return checkpoint;
  }
}
