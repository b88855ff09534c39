import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { PoolClient } from 'pg';
import { DataSource } from 'typeorm';
import {
  CHECKPOINT_MESSAGE_FORMAT,
  CHECKPOINT_MESSAGE_FORMAT_V1,
  CheckpointSigner,
  verifyAuditChain,
  type ChainVerification,
} from '@app/common';
import { decodeSeqCursor, encodeSeqCursor } from './audit-cursor';
import { AUDIT_PAGE_DEFAULT, type CheckpointsQuery } from './dto/audit-query.dto';
import type { CheckpointPageView } from './dto/checkpoint.view';

/** Chain verification and the checkpoint export an auditor archives next to the trail. */
@Injectable()
export class AuditIntegrityService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly signer: CheckpointSigner,
  ) {}

  /**
   * On one pooled connection, in a read-only REPEATABLE READ transaction: every batch sees the same
   * snapshot (rows and checkpoints appended meanwhile are not half-seen), and the raw pg client
   * skips TypeORM's per-query overhead, which doubled heap and time over 1M rows.
   */
  async verify(): Promise<ChainVerification> {
    const runner = this.dataSource.createQueryRunner();
    const client = (await runner.connect()) as PoolClient;
    try {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      const result = await verifyAuditChain(
        async <T>(sql: string, params: unknown[]) => (await client.query(sql, params)).rows as T[],
        this.signer,
      );
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      await runner.release();
    }
  }

  async checkpoints(query: CheckpointsQuery): Promise<CheckpointPageView> {
    const limit = query.limit ?? AUDIT_PAGE_DEFAULT;
    const params: unknown[] = [limit + 1];
    let before = '';
    if (query.cursor) {
      params.push(decodeSeqCursor(query.cursor));
      before = 'WHERE seq < $2';
    }
    const rows: Array<{ chain: number; seq: string; hash: string; created_at: Date; key_id: string; signature: string }> =
      await this.dataSource.query(
        `SELECT chain, seq, hash, created_at, key_id, signature FROM audit_checkpoints ${before} ORDER BY seq DESC LIMIT $1`,
        params,
      );
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return {
      algorithm: 'Ed25519',
      keyId: this.signer.keyId,
      publicKey: this.signer.publicKeyPem(),
      signedMessage: CHECKPOINT_MESSAGE_FORMAT,
      legacySignedMessage: CHECKPOINT_MESSAGE_FORMAT_V1,
      items: page.map((r) => ({
        chain: r.chain,
        seq: r.seq,
        hash: r.hash,
        createdAt: r.created_at.toISOString(),
        keyId: r.key_id,
        signature: r.signature,
      })),
      nextCursor: rows.length > limit && last ? encodeSeqCursor(last.seq) : null,
    };
  }
}
