import { createHash } from 'node:crypto';
import { canonicalJson } from './canonical-json';

export const AUDIT_GENESIS_HASH = '0'.repeat(64);

/** The fields a row's hash covers: everything but the hash itself. */
export interface ChainedAuditFields {
  seq: string;
  occurredAt: Date;
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

/** hash = SHA-256(prevHash || canonical(row)). */
export function computeAuditHash(row: ChainedAuditFields): string {
  const { prevHash, ...fields } = row;
  return createHash('sha256').update(prevHash).update(canonicalJson(fields)).digest('hex');
}
