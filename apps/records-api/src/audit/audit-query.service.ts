import { Injectable } from '@nestjs/common';
import { UnitOfWork, type ActorContext } from '@app/common';
import { decodeSeqCursor, encodeSeqCursor } from './audit-cursor';
import { auditFilterSql, describeFilter } from './audit-filter';
import { AUDIT_ROW_COLUMNS, toAuditEventView, type AuditRow } from './audit-row';
import type { AuditPageView } from './dto/audit-event.view';
import { AUDIT_PAGE_DEFAULT, type ListAuditQuery } from './dto/audit-query.dto';

/** The audit trail, newest first. Reading it is itself audited, in the same transaction (fail closed). */
@Injectable()
export class AuditQueryService {
  constructor(private readonly unitOfWork: UnitOfWork) {}

  async list(query: ListAuditQuery, actor: ActorContext): Promise<AuditPageView> {
    const limit = query.limit ?? AUDIT_PAGE_DEFAULT;
    const { conditions, params } = auditFilterSql(query);
    if (query.cursor) {
      params.push(decodeSeqCursor(query.cursor));
      conditions.push(`seq < $${params.length}`);
    }
    params.push(limit + 1);
    const where = conditions.length ? `WHERE ${conditions.join(' AND ')}` : '';
    return this.unitOfWork.run(actor, async (changes) => {
      const rows: AuditRow[] = await changes.manager.query(
        `SELECT ${AUDIT_ROW_COLUMNS} FROM audit_events ${where} ORDER BY seq DESC LIMIT $${params.length}`,
        params,
      );
      const page = rows.slice(0, limit);
      changes.audit({ action: 'audit.read', metadata: { filters: describeFilter(query), returned: page.length } });
      const last = page[page.length - 1];
      return { items: page.map(toAuditEventView), nextCursor: rows.length > limit && last ? encodeSeqCursor(last.seq) : null };
    });
  }
}
