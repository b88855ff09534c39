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

/**
 * Exactly canonicalJson(row without prevHash, and without chain when it is 0), without its generic
 * per-object sort: verification encodes every row of the trail, and this is most of its CPU
 * (audit-chain.spec.ts checks the two agree).
 */
export function canonicalAuditFields(row: ChainedAuditFields): string {
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
