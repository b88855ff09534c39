import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Response } from 'express';
import { DataSource } from 'typeorm';
import { UnitOfWork, type ActorContext } from '@app/common';
import { auditFilterSql, describeFilter } from './audit-filter';
import { AUDIT_ROW_COLUMNS, toAuditEventView, type AuditRow } from './audit-row';
import { csvLine } from './csv-cell';
import type { AuditEventView } from './dto/audit-event.view';
import type { ExportAuditQuery, ExportFormat } from './dto/audit-query.dto';

// Like the verifier: small batches stay in V8's young generation, so memory stays flat.
const BATCH_ROWS = 1000;
const CSV_COLUMNS = [
  'seq',
  'chain',
  'occurredAt',
  'actorType',
  'actorId',
  'actorName',
  'actorIssuer',
  'action',
  'targetType',
  'targetId',
  'outcome',
  'reason',
  'requestId',
  'sourceIp',
  'changes',
  'metadata',
  'prevHash',
  'hash',
];

function csvRow(v: AuditEventView): string {
  return csvLine([
    v.seq,
    v.chain,
    v.occurredAt,
    v.actor.type,
    v.actor.id,
    v.actor.name,
    v.actor.issuer,
    v.action,
    v.targetType,
    v.targetId,
    v.outcome,
    v.reason,
    v.requestId,
    v.sourceIp,
    v.changes,
    v.metadata,
    v.prevHash,
    v.hash,
  ]);
}

/** Resolves when the socket wants more, or false when the client went away. */
function drained(res: Response): Promise<boolean> {
  return new Promise((resolve) => {
    const done = (ok: boolean) => () => {
      res.off('drain', onDrain);
      res.off('close', onClose);
      resolve(ok);
    };
    const onDrain = done(true);
    const onClose = done(false);
    res.once('drain', onDrain);
    res.once('close', onClose);
  });
}

/**
 * Streams the trail in seq order, in keyset batches up to the head as it was when the export began
 * (a consistent prefix of every chain, which can be re-verified offline per chain with
 * chain/prevHash/hash). Memory is one batch; the loop waits for the socket to drain, and stops
 * when the client disconnects.
 */
@Injectable()
export class AuditExportService {
  private readonly logger = new Logger(AuditExportService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly unitOfWork: UnitOfWork,
  ) {}

  async export(query: ExportAuditQuery, actor: ActorContext, res: Response): Promise<void> {
    const format: ExportFormat = query.format ?? 'ndjson';
    const filter = auditFilterSql(query);
    // The export is recorded (and committed) before a byte leaves: no audit row, no export.
    const headSeq = await this.unitOfWork.run(actor, async (changes) => {
      const head: Array<{ seq: string | null }> = await changes.manager.query('SELECT max(seq)::text AS seq FROM audit_events');
      changes.audit({ action: 'audit.exported', metadata: { format, filters: describeFilter(query), upToSeq: head[0]?.seq ?? null } });
      return head[0]?.seq ?? '0';
    });
    res.status(200);
    res.setHeader('Content-Type', format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8');
    res.setHeader('Content-Disposition', `attachment; filename="audit-upto-${headSeq}.${format === 'csv' ? 'csv' : 'ndjson'}"`);
    res.setHeader('Cache-Control', 'no-store');
    if (format === 'csv') res.write(csvLine(CSV_COLUMNS));
    try {
      await this.streamRows(filter.conditions, filter.params, headSeq, format, res);
      res.end();
    } catch (error) {
      // Headers are gone: the only honest signal left is a broken stream.
      this.logger.error({ err: error }, 'audit export failed mid-stream');
      res.destroy(error instanceof Error ? error : new Error('audit export failed'));
    }
  }

  /**
   * In one read-only REPEATABLE READ snapshot: with parallel chains a lower seq of one chain can
   * commit after a higher seq of another, so batches read at different moments could skip a row
   * whose successor in its chain they include. A snapshot holds every chain as an unbroken prefix.
   */
  private async streamRows(conditions: string[], params: unknown[], headSeq: string, format: ExportFormat, res: Response): Promise<void> {
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    try {
      await runner.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      await this.streamBatches((sql, batchParams) => runner.query(sql, batchParams), conditions, params, headSeq, format, res);
      await runner.query('COMMIT');
    } catch (error) {
      await runner.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      await runner.release();
    }
  }

  private async streamBatches(
    query: (sql: string, params: unknown[]) => Promise<AuditRow[]>,
    conditions: string[],
    params: unknown[],
    headSeq: string,
    format: ExportFormat,
    res: Response,
  ): Promise<void> {
    let lastSeq = '0';
    for (;;) {
      const batchParams = [...params, lastSeq, headSeq, BATCH_ROWS];
      const n = params.length;
      const where = [...conditions, `seq > $${n + 1}`, `seq <= $${n + 2}`].join(' AND ');
      const rows = await query(`SELECT ${AUDIT_ROW_COLUMNS} FROM audit_events WHERE ${where} ORDER BY seq LIMIT $${n + 3}`, batchParams);
      if (rows.length === 0) return;
      const chunk = rows
        .map((row) => (format === 'csv' ? csvRow(toAuditEventView(row)) : `${JSON.stringify(toAuditEventView(row))}\n`))
        .join('');
      lastSeq = rows[rows.length - 1].seq;
      if (res.destroyed) return;
      if (!res.write(chunk) && !(await drained(res))) return;
      if (rows.length < BATCH_ROWS) return;
    }
  }
}
