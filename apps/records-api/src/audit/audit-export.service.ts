import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { FastifyReply } from 'fastify';
import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { DataSource } from 'typeorm';
import { UnitOfWork, type ActorContext } from '@app/common';
import { auditFilterSql, describeFilter } from './audit-filter';
import { AUDIT_ROW_COLUMNS, toAuditEventView, type AuditRow } from './audit-row';
import { csvLine } from './csv-cell';
import type { AuditEventView } from './dto/audit-event.view';
import type { ExportAuditQuery, ExportFormat } from './dto/audit-query.dto';

// Like the verifier: small batches stay in V8's young generation, so memory stays flat.
const BATCH_ROWS = 1000;
/**
 * Characters per socket write. Far below V8's large-object threshold (128 KB): a string that size
 * is born in the young generation and dies there. Joining a whole batch into one ~550 KB string
 * allocated every chunk straight into large-object space, which only a full GC frees: on 1M rows
 * RSS climbed ~125 MB above idle between full GCs (bench/audit/export-rss.ts, --trace-gc).
 */
const CHUNK_CHARS = 32 * 1024;
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
function drained(res: ServerResponse): Promise<boolean> {
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

/** A batch as output text, in strings of about CHUNK_CHARS. */
function renderChunks(rows: AuditRow[], format: ExportFormat): string[] {
  const chunks: string[] = [];
  let chunk = '';
  for (const row of rows) {
    chunk += format === 'csv' ? csvRow(toAuditEventView(row)) : `${JSON.stringify(toAuditEventView(row))}\n`;
    if (chunk.length >= CHUNK_CHARS) {
      chunks.push(chunk);
      chunk = '';
    }
  }
  if (chunk.length > 0) chunks.push(chunk);
  return chunks;
}

/** Writes a chunk, waiting for the socket to drain when its buffer is full; false when the client went away. */
async function send(res: ServerResponse, chunk: string): Promise<boolean> {
  if (res.destroyed) return false;
  return res.write(chunk) || drained(res);
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

  async export(query: ExportAuditQuery, actor: ActorContext, reply: FastifyReply): Promise<void> {
    const format: ExportFormat = query.format ?? 'ndjson';
    const filter = auditFilterSql(query);
    // The export is recorded (and committed) before a byte leaves: no audit row, no export.
    const headSeq = await this.unitOfWork.run(actor, async (changes) => {
      const head: Array<{ seq: string | null }> = await changes.manager.query('SELECT max(seq)::text AS seq FROM audit_events');
      changes.audit({ action: 'audit.exported', metadata: { format, filters: describeFilter(query), upToSeq: head[0]?.seq ?? null } });
      return head[0]?.seq ?? '0';
    });
    // From here the socket is written directly, batch by batch with backpressure: Fastify steps aside
    // (an error until now still gets the envelope). Its headers so far (X-Request-Id) go along.
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      ...(reply.getHeaders() as OutgoingHttpHeaders),
      'Content-Type': format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8',
      'Content-Disposition': `attachment; filename="audit-upto-${headSeq}.${format === 'csv' ? 'csv' : 'ndjson'}"`,
      'Cache-Control': 'no-store',
    });
    if (format === 'csv') res.write(csvLine(CSV_COLUMNS));
    try {
      await this.streamRows(filter.conditions, filter.params, headSeq, format, res);
      res.end();
    } catch (error) {
      // Headers are gone: the only honest signal left is a broken stream.
      this.logger.error({ err: error, requestId: actor.requestId }, 'audit export failed mid-stream');
      res.destroy(error instanceof Error ? error : new Error('audit export failed'));
    }
  }

  /**
   * In one read-only REPEATABLE READ snapshot: with parallel chains a lower seq of one chain can
   * commit after a higher seq of another, so batches read at different moments could skip a row
   * whose successor in its chain they include. A snapshot holds every chain as an unbroken prefix.
   */
  private async streamRows(
    conditions: string[],
    params: unknown[],
    headSeq: string,
    format: ExportFormat,
    res: ServerResponse,
  ): Promise<void> {
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
    res: ServerResponse,
  ): Promise<void> {
    let lastSeq: string | null = '0';
    while (lastSeq !== null) {
      const batch = await this.renderBatch(query, conditions, params, lastSeq, headSeq, format);
      for (const chunk of batch.chunks) if (!(await send(res, chunk))) return;
      lastSeq = batch.nextAfter;
    }
  }

  /**
   * One batch, already rendered: its row objects are gone before the first write waits for the
   * socket, so they die young instead of living across drain waits and being promoted to the old
   * generation (which only a full GC empties).
   */
  private async renderBatch(
    query: (sql: string, params: unknown[]) => Promise<AuditRow[]>,
    conditions: string[],
    params: unknown[],
    afterSeq: string,
    headSeq: string,
    format: ExportFormat,
  ): Promise<{ chunks: string[]; nextAfter: string | null }> {
    const n = params.length;
    const where = [...conditions, `seq > $${n + 1}`, `seq <= $${n + 2}`].join(' AND ');
    const rows = await query(`SELECT ${AUDIT_ROW_COLUMNS} FROM audit_events WHERE ${where} ORDER BY seq LIMIT $${n + 3}`, [
      ...params,
      afterSeq,
      headSeq,
      BATCH_ROWS,
    ]);
    return { chunks: renderChunks(rows, format), nextAfter: rows.length === BATCH_ROWS ? rows[rows.length - 1].seq : null };
  }
}
