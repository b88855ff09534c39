import { Column, JoinColumn, ManyToOne, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { Installation } from './installation.entity';
import type { InstallationVersions } from './installation.entity';

/** A deployment of an installation's software, with the versions it brought. */
@Entity({ name: 'deployments' })
@Index('deployments_installation_time', ['installationId', 'deployedAt'])
@Index('deployments_time', ['deployedAt'])
export class Deployment {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'installation_id', type: 'uuid' })
  installationId: string;

  @ManyToOne(() => Installation, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'installation_id' })
  installation?: Installation;

  @Column({ name: 'deployed_at', type: 'timestamptz' })
  deployedAt: Date;

  @Column({ type: 'jsonb' })
  versions: InstallationVersions;

  @Column({ type: 'text', nullable: true })
  notes: string | null;

  @Column({ name: 'recorded_by', type: 'text' })
  recordedBy: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
