import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AUDIT_MAX_CHAINS, CheckpointSigner, EnvironmentVariables, type SignedCheckpoint } from '@app/common';

/**
 * Signs every chain's head periodically. Every replica runs it; the checkpoint's primary key is the
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
      this.writeCheckpoints().catch((error: unknown) => this.logger.error({ err: error }, 'audit checkpoint failed'));
    }, this.env.AUDIT_CHECKPOINT_INTERVAL_MS);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /**
   * Signs the head of every chain that is not already checkpointed (one row per chain, one
   * created_at for the run); returns the new checkpoints. Every possible chain is probed, not only
   * the first AUDIT_CHAIN_COUNT: chains left behind when it was lowered still get their heads
   * signed, so a cut of their tail is still detected.
   */
  async writeCheckpoints(): Promise<SignedCheckpoint[]> {
    const heads: Array<{ chain: number; seq: string; hash: string }> = await this.dataSource.query(
      `SELECT c.chain, h.seq, h.hash
         FROM generate_series(0, $1::int - 1) AS c(chain)
        CROSS JOIN LATERAL (SELECT seq, hash FROM audit_events e WHERE e.chain = c.chain::smallint ORDER BY seq DESC LIMIT 1) h
        WHERE NOT EXISTS (SELECT 1 FROM audit_checkpoints k WHERE k.seq = h.seq)`,
      [AUDIT_MAX_CHAINS],
    );
    if (heads.length === 0) return [];
    const createdAt = new Date();
    const checkpoints = heads.map((head) => this.signer.sign(head.chain, head.seq, head.hash, createdAt));
    const params: unknown[] = [];
    const tuples = checkpoints.map((c) => {
      params.push(c.chain, c.seq, c.hash, c.createdAt, c.keyId, c.signature);
      const n = params.length;
      return `($${n - 5}, $${n - 4}, $${n - 3}, $${n - 2}, $${n - 1}, $${n})`;
    });
    const inserted: Array<{ seq: string }> = await this.dataSource.query(
      `INSERT INTO audit_checkpoints (chain, seq, hash, created_at, key_id, signature) VALUES ${tuples.join(', ')}
       ON CONFLICT (seq) DO NOTHING RETURNING seq`,
      params,
    );
    const written = new Set(inserted.map((row) => row.seq));
    const signed = checkpoints.filter((c) => written.has(c.seq));
    for (const checkpoint of signed) {
      this.logger.log({ auditCheckpoint: { ...checkpoint, createdAt: checkpoint.createdAt.toISOString() } }, 'audit checkpoint signed');
    }
    return signed;
  }
}
