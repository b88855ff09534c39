import { Column, JoinColumn, ManyToOne, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { Installation } from './installation.entity';

export const CREDENTIAL_STATES = ['pending', 'active', 'superseded', 'revoked'] as const;
export type CredentialState = (typeof CREDENTIAL_STATES)[number];

/** What may be shown of one secret field: never the value. */
export interface MaskedSecretField {
  fingerprint: string;
  last4: string;
}

/**
 * One version of an installation's credentials. The secret fields are one AES-256-GCM sealed
 * JSON object; only fingerprints and last-four characters live in clear.
 */
@Entity({ name: 'credential_versions' })
@Index('credential_versions_installation_version', ['installationId', 'version'], { unique: true })
export class CredentialVersion {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'installation_id', type: 'uuid' })
  installationId: string;

  @ManyToOne(() => Installation, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'installation_id' })
  installation?: Installation;

  @Column({ type: 'int' })
  version: number;

  @Column({ type: 'text', default: 'pending' })
  state: CredentialState;

  @Index('credential_versions_key_id')
  @Column({ name: 'key_id', type: 'text' })
  keyId: string;

  @Column({ name: 'secret_ciphertext', type: 'bytea' })
  secretCiphertext: Buffer;

  /** Fingerprint over all secret fields together: identifies this credential version. */
  @Column({ type: 'text' })
  fingerprint: string;

  @Column({ name: 'masked_fields', type: 'jsonb' })
  maskedFields: Record<string, MaskedSecretField>;

  @Column({ name: 'submitted_at', type: 'timestamptz', default: () => 'now()' })
  submittedAt: Date;

  @Column({ name: 'submitted_by', type: 'text' })
  submittedBy: string;

  @Column({ name: 'verified_at', type: 'timestamptz', nullable: true })
  verifiedAt: Date | null;

  @Column({ name: 'rotation_due_at', type: 'timestamptz', nullable: true })
  rotationDueAt: Date | null;

  @Column({ name: 'superseded_at', type: 'timestamptz', nullable: true })
  supersededAt: Date | null;

  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true })
  revokedAt: Date | null;
}
