import type { FieldChange, StoredAuditRow } from '@app/common';
import type { AuditEventView, FieldChangeView } from './dto/audit-event.view';

/**
 * The columns every audit read selects. seq is left bigint (node-pg hands int8 back as a string):
 * casting it to text in the select list would make `ORDER BY seq` sort as text.
 */
export const AUDIT_ROW_COLUMNS = `seq, chain, to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS occurred_at,
  actor_type, actor_id, actor_name, actor_issuer, action, target_type, target_id, outcome, reason, request_id, source_ip,
  changes, metadata, prev_hash, hash`;

/** A stored row with its JSON columns typed as the writer wrote them. */
export interface AuditRow extends Omit<StoredAuditRow, 'changes' | 'metadata'> {
  changes: FieldChange[] | null;
  metadata: Record<string, unknown> | null;
}

export function toAuditEventView(row: AuditRow): AuditEventView {
  return {
    seq: row.seq,
    chain: row.chain,
    occurredAt: row.occurred_at,
    actor: { type: row.actor_type, id: row.actor_id, name: row.actor_name, issuer: row.actor_issuer },
    action: row.action,
    targetType: row.target_type,
    targetId: row.target_id,
    outcome: row.outcome,
    reason: row.reason,
    requestId: row.request_id,
    sourceIp: row.source_ip,
    changes: row.changes as FieldChangeView[] | null,
    metadata: row.metadata,
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}
