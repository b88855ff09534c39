import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * A signed statement "the chain head at `seq` was `hash` at `createdAt`". The signing key is not in
 * the database, so a superuser who rewrites or truncates the chain cannot forge a matching
 * checkpoint (RELIABILITY.md: the head must also be kept outside the database). Append-only, like
 * audit_events.
 */
@Entity({ name: 'audit_checkpoints' })
export class AuditCheckpoint {
  /** The audit_events seq this checkpoint covers; one checkpoint per head, so replicas cannot double-write. */
  @PrimaryColumn({ type: 'bigint' })
  seq: string;

  @Column({ type: 'text' })
  hash: string;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'key_id', type: 'text' })
  keyId: string;

  /** Ed25519 over checkpointMessage(seq, hash, createdAt), base64. */
  @Column({ type: 'text' })
  signature: string;
}
