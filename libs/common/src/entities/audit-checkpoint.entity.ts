import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * A signed statement "the head of `chain` at `seq` was `hash` at `createdAt`". The signing key is not in
 * the database, so a superuser who rewrites or truncates the chain cannot forge a matching
 * checkpoint (RELIABILITY.md: the head must also be kept outside the database). Append-only, like
 * audit_events.
 */
@Entity({ name: 'audit_checkpoints' })
export class AuditCheckpoint {
  /**
   * The audit_events seq this checkpoint covers: the head of `chain` when it was signed. Seqs are
   * unique across chains, so one checkpoint per head and replicas cannot double-write.
   */
  @PrimaryColumn({ type: 'bigint' })
  seq: string;

  /** The chain whose head this is; rows signed before parallel chains existed are chain 0. */
  @Column({ type: 'smallint', default: 0 })
  chain: number;

  @Column({ type: 'text' })
  hash: string;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'key_id', type: 'text' })
  keyId: string;

  /** Ed25519 over checkpointMessage(chain, seq, hash, createdAt) (v2; v1 for chain-0 rows signed before chains), base64. */
  @Column({ type: 'text' })
  signature: string;
}
