import type { FieldChange } from '../entities/audit-event.entity';
import { canonicalJson } from './canonical-json';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

function flatten(value: unknown, prefix: string, into: Map<string, unknown>): void {
  if (isRecord(value) && Object.keys(value).length > 0) {
    for (const [key, child] of Object.entries(value)) flatten(child, prefix ? `${prefix}.${key}` : key, into);
    return;
  }
  into.set(prefix, value instanceof Date ? value.toISOString() : value);
}

/**
 * Field-level before/after between two plain snapshots, in dotted paths (`config.scope`). Objects
 * are walked, arrays and scalars compared whole. Never pass secret values here: secrets are
 * represented by their fingerprints before diffing.
 */
export function diffFields(before: Record<string, unknown>, after: Record<string, unknown>): FieldChange[] {
  const a = new Map<string, unknown>();
  const b = new Map<string, unknown>();
  flatten(before, '', a);
  flatten(after, '', b);
  const paths = [...new Set([...a.keys(), ...b.keys()])].sort();
  return paths
    .filter((path) => canonicalJson(a.get(path) ?? null) !== canonicalJson(b.get(path) ?? null))
    .map((path) => ({ field: path, before: a.get(path) ?? null, after: b.get(path) ?? null }));
}
