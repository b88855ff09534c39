import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

export const ACTOR_TYPES = ['user', 'service', 'automation'] as const;
export type ActorType = (typeof ACTOR_TYPES)[number];
export const AUDIT_OUTCOMES = ['success', 'failure', 'denied'] as const;
export type AuditOutcome = (typeof AUDIT_OUTCOMES)[number];

export interface FieldChange {
  field: string;
  before: unknown;
  after: unknown;
}

/**
 * One row of the append-only, hash-chained audit trail. The application role may only SELECT and
 * INSERT (see the migrations); `hash` = SHA-256(prevHash || canonical row), prevHash being the
 * hash of the previous row of the same `chain`.
 */
@Entity({ name: 'audit_events' })
@Index('audit_events_target', ['targetType', 'targetId', 'seq'])
@Index('audit_events_occurred', ['occurredAt'])
@Index('audit_events_actor', ['actorId', 'seq'])
@Index('audit_events_action', ['action', 'seq'])
@Index('audit_events_chain', ['chain', 'seq'])
export class AuditEvent {
  /** Assigned inside the chain's lock, so within one chain seq order is chain order. */
  @PrimaryColumn({ type: 'bigint' })
  seq: string;

  /**
   * Which of the parallel hash chains the row belongs to (0..AUDIT_CHAIN_COUNT-1; see
   * audit-writer.ts). Hashed with the row, so a row cannot be moved to another chain unnoticed.
   */
  @Column({ type: 'smallint', default: 0 })
  chain: number;

  @Column({ name: 'occurred_at', type: 'timestamptz' })
  occurredAt: Date;

  @Column({ name: 'actor_type', type: 'text' })
  actorType: ActorType;

  @Column({ name: 'actor_id', type: 'text' })
  actorId: string;

  @Column({ name: 'actor_name', type: 'text', nullable: true })
  actorName: string | null;

  @Column({ name: 'actor_issuer', type: 'text', nullable: true })
  actorIssuer: string | null;

  @Column({ type: 'text' })
  action: string;

  @Column({ name: 'target_type', type: 'text', nullable: true })
  targetType: string | null;

  @Column({ name: 'target_id', type: 'text', nullable: true })
  targetId: string | null;

  @Column({ type: 'text' })
  outcome: AuditOutcome;

  @Column({ type: 'text', nullable: true })
  reason: string | null;

  @Column({ name: 'request_id', type: 'text', nullable: true })
  requestId: string | null;

  @Column({ name: 'source_ip', type: 'text', nullable: true })
  sourceIp: string | null;

  @Column({ type: 'jsonb', nullable: true })
  changes: FieldChange[] | null;

  @Column({ type: 'jsonb', nullable: true })
  metadata: Record<string, unknown> | null;

  @Column({ name: 'prev_hash', type: 'text' })
  prevHash: string;

  @Column({ type: 'text' })
  hash: string;
}
