import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, UpdateDateColumn, VersionColumn } from 'typeorm';

export const INSTALLATION_STATUSES = [
  'draft',
  'pending_verification',
  'authenticated',
  'active',
  'auth_failed',
  'degraded',
  'decommissioned',
] as const;
export type InstallationStatus = (typeof INSTALLATION_STATUSES)[number];

export interface InstallationEndpoints {
  baseUrl: string;
  paths?: Record<string, string>;
}

export interface InstallationVersions {
  pms?: string;
  adapter?: string;
  partnerApi?: string;
}

/** One integration instance of a vendor at a property, in one environment. */
@Entity({ name: 'installations' })
@Index('installations_list_order', ['createdAt', 'id'])
@Index('installations_vendor_status', ['vendor', 'status'])
export class Installation {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'text' })
  vendor: string;

  @Column({ type: 'text' })
  environment: string;

  @Column({ name: 'property_id', type: 'text' })
  propertyId: string;

  @Column({ name: 'property_name', type: 'text' })
  propertyName: string;

  /** vendor:propertyId:environment — the natural key imports upsert on. */
  @Index('installations_external_key', { unique: true })
  @Column({ name: 'external_key', type: 'text' })
  externalKey: string;

  @Column({ type: 'jsonb', default: () => "'{}'" })
  config: Record<string, unknown>;

  @Column({ type: 'jsonb' })
  endpoints: InstallationEndpoints;

  @Column({ type: 'jsonb', default: () => "'{}'" })
  versions: InstallationVersions;

  @Column({ name: 'owner_team', type: 'text', nullable: true })
  ownerTeam: string | null;

  @Column({ type: 'jsonb', default: () => "'{}'" })
  documentation: Record<string, unknown>;

  @Column({ type: 'text', default: 'draft' })
  status: InstallationStatus;

  @Column({ name: 'status_changed_at', type: 'timestamptz', default: () => 'now()' })
  statusChangedAt: Date;

  @Column({ name: 'authenticated_at', type: 'timestamptz', nullable: true })
  authenticatedAt: Date | null;

  @Column({ name: 'initial_sync_completed_at', type: 'timestamptz', nullable: true })
  initialSyncCompletedAt: Date | null;

  @Column({ name: 'auth_failed_at', type: 'timestamptz', nullable: true })
  authFailedAt: Date | null;

  @Column({ name: 'degraded_at', type: 'timestamptz', nullable: true })
  degradedAt: Date | null;

  @Column({ name: 'decommissioned_at', type: 'timestamptz', nullable: true })
  decommissionedAt: Date | null;

  @Column({ name: 'last_verified_at', type: 'timestamptz', nullable: true })
  lastVerifiedAt: Date | null;

  /** Transient verification failures in a row; degraded once past the vendor's threshold. */
  @Column({ name: 'consecutive_transient_failures', type: 'int', default: 0 })
  consecutiveTransientFailures: number;

  @Column({ name: 'installed_at', type: 'timestamptz', nullable: true })
  installedAt: Date | null;

  @Column({ name: 'installed_by', type: 'text', nullable: true })
  installedBy: string | null;

  @Column({ name: 'created_by', type: 'text' })
  createdBy: string;

  @VersionColumn()
  version: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
