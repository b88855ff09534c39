import { Column, JoinColumn, ManyToOne, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { Installation } from './installation.entity';

export const VERIFICATION_TRIGGERS = ['submitted', 'manual', 'scheduled', 'import'] as const;
export type VerificationTrigger = (typeof VERIFICATION_TRIGGERS)[number];

export const FAILURE_CLASSES = [
  'invalid_credentials',
  'forbidden',
  'throttled',
  'vendor_error',
  'network',
  'contract',
  'unsupported',
] as const;
export type FailureClass = (typeof FAILURE_CLASSES)[number];

/** Every credential check, queued by the API and completed by the worker; metrics come from these. */
@Entity({ name: 'verification_receipts' })
@Index('verification_receipts_installation_time', ['installationId', 'requestedAt'])
@Index('verification_receipts_completed', ['completedAt'])
export class VerificationReceipt {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'installation_id', type: 'uuid' })
  installationId: string;

  @ManyToOne(() => Installation, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'installation_id' })
  installation?: Installation;

  @Column({ name: 'credential_version_id', type: 'uuid' })
  credentialVersionId: string;

  @Column({ type: 'text' })
  trigger: VerificationTrigger;

  /** queued → completed; a receipt is written once by the worker, never rewritten. */
  @Column({ type: 'text', default: 'queued' })
  state: 'queued' | 'completed';

  @Column({ name: 'probe_method', type: 'text', nullable: true })
  probeMethod: string | null;

  @Column({ name: 'probe_host', type: 'text', nullable: true })
  probeHost: string | null;

  @Column({ name: 'probe_path', type: 'text', nullable: true })
  probePath: string | null;

  @Column({ name: 'http_status', type: 'int', nullable: true })
  httpStatus: number | null;

  @Column({ name: 'latency_ms', type: 'int', nullable: true })
  latencyMs: number | null;

  @Column({ type: 'text', nullable: true })
  outcome: 'success' | 'failure' | null;

  @Column({ name: 'failure_class', type: 'text', nullable: true })
  failureClass: FailureClass | null;

  @Column({ type: 'text', nullable: true })
  detail: string | null;

  @Column({ name: 'worker_id', type: 'text', nullable: true })
  workerId: string | null;

  @Column({ name: 'requested_by', type: 'text' })
  requestedBy: string;

  @Column({ name: 'requested_at', type: 'timestamptz', default: () => 'now()' })
  requestedAt: Date;

  @Column({ name: 'started_at', type: 'timestamptz', nullable: true })
  startedAt: Date | null;

  @Column({ name: 'completed_at', type: 'timestamptz', nullable: true })
  completedAt: Date | null;
}
