/**
 * The closed vocabulary of audit actions (DESIGN §2). Filters reject anything else with 400, and a
 * new kind of event is added here first, so auditors can rely on the list being complete.
 */
export const AUDIT_ACTIONS = [
  'installation.created',
  'installation.updated',
  'installation.decommissioned',
  'installation.read',
  'installation.listed',
  'credential.submitted',
  'credential.revealed',
  'credential.rewrapped',
  'verification.requested',
  'verification.completed',
  'milestone.reached',
  'deployment.recorded',
  'import.committed',
  'webhook.created',
  'webhook.updated',
  'webhook.deleted',
  'webhook.redelivered',
  'audit.read',
  'audit.exported',
  'audit.verified',
  'access.denied',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

export function isAuditAction(value: string): value is AuditAction {
  return (AUDIT_ACTIONS as readonly string[]).includes(value);
}
