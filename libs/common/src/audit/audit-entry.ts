import type { ActorType, AuditOutcome, FieldChange } from '../entities/audit-event.entity';
import type { AuditAction } from './audit-actions';

/** Who is acting, and on behalf of which request: every write and every audit row carries it. */
export interface ActorContext {
  type: ActorType;
  id: string;
  name?: string | null;
  issuer?: string | null;
  requestId?: string | null;
  sourceIp?: string | null;
  /** Why the change was made (X-Change-Reason), when the actor said. */
  reason?: string | null;
}

/** What an audit row says, before the chain gives it a seq and a hash. */
export interface AuditEntry {
  /** Closed vocabulary: a new kind of event is added to AUDIT_ACTIONS first (the compiler insists). */
  action: AuditAction;
  targetType?: string | null;
  targetId?: string | null;
  outcome?: AuditOutcome;
  reason?: string | null;
  changes?: FieldChange[] | null;
  metadata?: Record<string, unknown> | null;
}

export const SYSTEM_ACTOR_ID = 'installation-records';
