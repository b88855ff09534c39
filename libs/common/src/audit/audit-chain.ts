import { hash as oneShotHash } from 'node:crypto';
import { canonicalJson } from './canonical-json';

export const AUDIT_GENESIS_HASH = '0'.repeat(64);

/** Upper bound of AUDIT_CHAIN_COUNT: chain ids are 0..AUDIT_MAX_CHAINS-1. */
export const AUDIT_MAX_CHAINS = 64;
/** AUDIT_CHAIN_COUNT when not configured. */
export const DEFAULT_AUDIT_CHAIN_COUNT = 8;

/** The fields a row's hash covers: everything but the hash itself. */
export interface ChainedAuditFields {
  seq: string;
  /**
   * The row's chain. 0 is left out of the encoding, so rows hashed before parallel chains existed
   * (all chain 0) verify unchanged; any other chain is encoded, so moving a row into or out of a
   * chain changes its hash.
   */
  chain: number;
  /** A Date, or its toISOString() (the verifier reads it pre-formatted from SQL): both hash alike. */
  occurredAt: Date | string;
  actorType: string;
  actorId: string;
  actorName: string | null;
  actorIssuer: string | null;
  action: string;
  targetType: string | null;
  targetId: string | null;
  outcome: string;
  reason: string | null;
  requestId: string | null;
  sourceIp: string | null;
  changes: unknown;
  metadata: unknown;
  prevHash: string;
}

/** The hashed fields in canonicalJson's key order (sorted), so the encoding can skip sorting. */
const SORTED_FIELDS = [
  'action',
  'actorId',
  'actorIssuer',
  'actorName',
  'actorType',
  'chain',
  'changes',
  'metadata',
  'occurredAt',
  'outcome',
  'reason',
  'requestId',
  'seq',
  'sourceIp',
  'targetId',
  'targetType',
] as const satisfies ReadonlyArray<Exclude<keyof ChainedAuditFields, 'prevHash'>>;

/** Keys V8 keeps in numeric order ahead of the others, whatever order they were added in (array-index-like). */
const INDEX_LIKE_KEY = /^(?:0|[1-9]\d*)$/;

class NotPlainJson extends Error {}

/**
 * A copy of a JSON value whose objects have their keys added in sorted order, so JSON.stringify
 * (which keeps insertion order) writes canonicalJson's encoding. Throws NotPlainJson for what
 * JSON.stringify would order or convert differently: index-like keys (always written first, in
 * numeric order), `__proto__` (not an ordinary own key on a fresh object), and anything but plain
 * objects, arrays and primitives (Dates, class instances with toJSON).
 */
function withSortedKeys(value: unknown): unknown {
  if (typeof value === 'function' || typeof value === 'symbol') throw new NotPlainJson();
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(withSortedKeys);
  if (Object.getPrototypeOf(value) !== Object.prototype) throw new NotPlainJson();
  const record = value as Record<string, unknown>;
  const sorted: Record<string, unknown> = {};
  for (const key of Object.keys(record).sort()) {
    if (key === '__proto__' || INDEX_LIKE_KEY.test(key)) throw new NotPlainJson();
    sorted[key] = withSortedKeys(record[key]);
  }
  return sorted;
}

/** A top-level field: what canonicalJson writes for it; undefined (a key left out) goes to the field loop. */
function fieldJson(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === null) return 'null';
  if (value === undefined) throw new NotPlainJson();
  return canonicalJson(value);
}

/** A jsonb field (changes, metadata) with its keys sorted at every depth. */
function jsonbFieldJson(value: unknown): string {
  return value === null || value === undefined ? fieldJson(value) : JSON.stringify(withSortedKeys(value));
}

/**
 * Exactly canonicalJson(row without prevHash, and without chain when it is 0), without its generic
 * per-object sort: verification encodes every row of the trail, and this is most of its CPU
 * (audit-chain.spec.ts checks the two agree). The fields are written in sorted order by one
 * expression and the jsonb values by JSON.stringify of a key-sorted copy, about 1.5x faster than the
 * field loop; rows holding values JSON.stringify would write differently take the loop.
 */
export function canonicalAuditFields(row: ChainedAuditFields): string {
  try {
    return (
      `{"action":${fieldJson(row.action)},"actorId":${fieldJson(row.actorId)},"actorIssuer":${fieldJson(row.actorIssuer)}` +
      `,"actorName":${fieldJson(row.actorName)},"actorType":${fieldJson(row.actorType)}` +
      (row.chain === 0 ? '' : `,"chain":${fieldJson(row.chain)}`) +
      `,"changes":${jsonbFieldJson(row.changes)},"metadata":${jsonbFieldJson(row.metadata)},"occurredAt":${fieldJson(row.occurredAt)}` +
      `,"outcome":${fieldJson(row.outcome)},"reason":${fieldJson(row.reason)},"requestId":${fieldJson(row.requestId)},"seq":${fieldJson(row.seq)}` +
      `,"sourceIp":${fieldJson(row.sourceIp)},"targetId":${fieldJson(row.targetId)},"targetType":${fieldJson(row.targetType)}}`
    );
  } catch (error) {
    if (!(error instanceof NotPlainJson)) throw error;
    return canonicalAuditFieldsByLoop(row);
  }
}

/** The field-by-field encoding, for rows whose values JSON.stringify would not write canonically. */
export function canonicalAuditFieldsByLoop(row: ChainedAuditFields): string {
  // Plain concatenation: no per-row arrays, which showed up as GC time when verifying 1M rows.
  let out = '{';
  for (const key of SORTED_FIELDS) {
    const value = row[key];
    if (value === undefined || (key === 'chain' && value === 0)) continue;
    out += `${out.length === 1 ? '' : ','}"${key}":${typeof value === 'string' ? JSON.stringify(value) : canonicalJson(value)}`;
  }
  return `${out}}`;
}

/** hash = SHA-256(prevHash || canonical(row)), prevHash being the previous hash in the row's chain. */
export function computeAuditHash(row: ChainedAuditFields): string {
  // One-shot crypto.hash (Node >= 20.12): same digest as createHash().update(a).update(b), cheaper per row.
  return oneShotHash('sha256', row.prevHash + canonicalAuditFields(row), 'hex');
}
