import { Initial1796415147036 } from './1796415147036-Initial';
import { AuditCheckpoints1796415733515 } from './1796415733515-AuditCheckpoints';
import { AuditParallelChains1796418542319 } from './1796418542319-AuditParallelChains';
import { AuditClaimChainFunction1796421000000 } from './1796421000000-AuditClaimChainFunction';

// Migrations in order. Never edit one after it is committed: add a new one.
export const MIGRATIONS: Function[] = [
  Initial1796415147036,
  AuditCheckpoints1796415733515,
  AuditParallelChains1796418542319,
  AuditClaimChainFunction1796421000000,
];
