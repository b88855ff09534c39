import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { PoolClient } from 'pg';
import { DataSource } from 'typeorm';
import {
  CHECKPOINT_MESSAGE_FORMAT,
  CHECKPOINT_MESSAGE_FORMAT_V1,
  CheckpointSigner,
  defaultVerifyThreads,
  verifyAuditChain,
  workerConnectionConfig,
  WorkerRangeScanner,
  type ChainVerification,
} from '@app/common';
import { decodeSeqCursor, encodeSeqCursor } from './audit-cursor';
import { AUDIT_PAGE_DEFAULT, type CheckpointsQuery } from './dto/audit-query.dto';
import type { CheckpointPageView } from './dto/checkpoint.view';

const PARALLEL_VERIFY_MIN_ROWS = 50_000;

/** Chain verification and the checkpoint export an auditor archives next to the trail. */
@Injectable()
export class AuditIntegrityService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly signer: CheckpointSigner,
  ) {}

  /**
   * In a read-only REPEATABLE READ transaction on one pooled connection, whose snapshot is exported
   * to the scanner threads (each on a connection of its own): they hash seq ranges of the trail in
   * parallel and see exactly the rows and checkpoints this transaction sees, nothing appended meanwhile.
   * The raw pg client skips TypeORM's per-query overhead, which doubled heap and time over 1M rows.
   */
  async verify(threads?: number): Promise<ChainVerification> {
    const runner = this.dataSource.createQueryRunner();
    const client = (await runner.connect()) as PoolClient;
    let scanner: WorkerRangeScanner | null = null;
    try {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      const query = async <T>(sql: string, params: unknown[]) => (await client.query(sql, params)).rows as T[];
      const parallel = threads ?? (await this.defaultThreads(query));
      if (parallel > 1) {
        const [{ snapshot }] = await query<{ snapshot: string }>('SELECT pg_export_snapshot() AS snapshot', []);
        const pool = (this.dataSource.driver as unknown as { master: { options: Record<string, unknown> } }).master;
        scanner = new WorkerRangeScanner(workerConnectionConfig(pool.options), snapshot, parallel);
      }
      // Several ranges per thread, so a thread that finishes early takes over work instead of idling.
      const result = await verifyAuditChain(query, this.signer, scanner ? { scanRanges: scanner.scan, ranges: parallel * 4 } : {});
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      await scanner?.close();
      await runner.release();
    }
  }

  /** Worker threads only pay off past their start-up cost (a connection each): from about 50k rows. */
  private async defaultThreads(query: <T>(sql: string, params: unknown[]) => Promise<T[]>): Promise<number> {
    const [{ span }] = await query<{ span: string | null }>('SELECT (max(seq) - min(seq))::text AS span FROM audit_events', []);
    return Number(span ?? 0) >= PARALLEL_VERIFY_MIN_ROWS ? defaultVerifyThreads() : 1;
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
