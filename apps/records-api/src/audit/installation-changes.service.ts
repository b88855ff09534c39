import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { DomainError } from '@app/common';
import { decodeSeqCursor, encodeSeqCursor } from './audit-cursor';
import { AUDIT_ROW_COLUMNS, toAuditEventView, type AuditRow } from './audit-row';
import type { ChangePageView } from './dto/audit-event.view';
import { AUDIT_PAGE_DEFAULT, type ChangesQuery } from './dto/audit-query.dto';

/**
 * An installation's field-level change log, read straight from the audit trail: whatever made the
 * change (API, import, worker) wrote it there in the change's own transaction. Newest first, on the
 * (target_type, target_id, seq) index.
 */
@Injectable()
export class InstallationChangesService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async list(installationId: string, query: ChangesQuery): Promise<ChangePageView> {
    const found: unknown[] = await this.dataSource.query('SELECT 1 FROM installations WHERE id = $1', [installationId]);
    if (found.length === 0) throw DomainError.notFound('installation', installationId);
    const limit = query.limit ?? AUDIT_PAGE_DEFAULT;
    const params: unknown[] = [installationId, limit + 1];
    let before = '';
    if (query.cursor) {
      params.push(decodeSeqCursor(query.cursor));
      before = `AND seq < $${params.length}`;
    }
    const rows: AuditRow[] = await this.dataSource.query(
      `SELECT ${AUDIT_ROW_COLUMNS} FROM audit_events
        WHERE target_type = 'installation' AND target_id = $1 AND outcome = 'success'
          AND jsonb_typeof(changes) = 'array' AND jsonb_array_length(changes) > 0 ${before}
        ORDER BY seq DESC LIMIT $2`,
      params,
    );
    const page = rows.slice(0, limit).map(toAuditEventView);
    const last = page[page.length - 1];
    return {
      items: page.map((event) => ({
        seq: event.seq,
        action: event.action,
        occurredAt: event.occurredAt,
        actor: event.actor,
        reason: event.reason,
        requestId: event.requestId,
        changes: event.changes ?? [],
      })),
      nextCursor: rows.length > limit && last ? encodeSeqCursor(last.seq) : null,
    };
  }
}
