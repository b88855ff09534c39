import { DomainError } from '@app/common';
import type { AuditFilterQuery } from './dto/audit-query.dto';

export interface SqlFilter {
  conditions: string[];
  params: unknown[];
}

/** Validated filters as SQL conditions (all parameterised). A reversed time range is a 400. */
export function auditFilterSql(filter: AuditFilterQuery): SqlFilter {
  if (filter.from && filter.to && Date.parse(filter.from) >= Date.parse(filter.to)) {
    throw DomainError.validation([{ path: 'query.from', message: 'must be earlier than query.to' }], 'time range is reversed or empty');
  }
  const conditions: string[] = [];
  const params: unknown[] = [];
  const add = (sql: string, value: unknown): void => {
    params.push(value);
    conditions.push(sql.replace('?', `$${params.length}`));
  };
  if (filter.actorId) add('actor_id = ?', filter.actorId);
  if (filter.action) add('action = ?', filter.action);
  if (filter.targetType) add('target_type = ?', filter.targetType);
  if (filter.targetId) add('target_id = ?', filter.targetId);
  if (filter.outcome) add('outcome = ?', filter.outcome);
  if (filter.from) add('occurred_at >= ?::timestamptz', filter.from);
  if (filter.to) add('occurred_at < ?::timestamptz', filter.to);
  return { conditions, params };
}

/** The filters as they were asked, for the audit row of the read itself. */
export function describeFilter(filter: AuditFilterQuery): Record<string, string> {
  const keys = ['actorId', 'action', 'targetType', 'targetId', 'outcome', 'from', 'to'] as const;
  return Object.fromEntries(keys.filter((key) => filter[key] !== undefined).map((key) => [key, String(filter[key])]));
}
