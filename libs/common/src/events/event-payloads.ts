import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsIn, IsInt, IsISO8601, IsOptional, IsString, IsUUID, Min, ValidateNested } from 'class-validator';
import { INSTALLATION_STATUSES, type InstallationStatus } from '../entities/installation.entity';
import {
  FAILURE_CLASSES,
  VERIFICATION_TRIGGERS,
  type FailureClass,
  type VerificationTrigger,
} from '../entities/verification-receipt.entity';
import { RoutingKey } from './routing-keys';

/** Who caused an event; carried so that the consumer's audit rows name the original actor. */
export class EventActor {
  @IsIn(['user', 'service', 'automation'])
  type: 'user' | 'service' | 'automation';

  @IsString()
  id: string;

  @IsOptional()
  @IsString()
  requestId?: string | null;
}

export const MILESTONES = ['authenticated', 'initial_sync_complete', 'auth_failed', 'degraded', 'recovered'] as const;
export type Milestone = (typeof MILESTONES)[number];

abstract class InstallationEventBase {
  @IsUUID()
  installationId: string;

  @IsISO8601()
  occurredAt: string;

  @ValidateNested()
  @Type(() => EventActor)
  actor: EventActor;
}

export class InstallationCreatedEvent extends InstallationEventBase {
  @IsIn(['spothero', 'parkwhiz'])
  vendor: string;

  @IsIn(['sandbox', 'production'])
  environment: string;
}

export class InstallationUpdatedEvent extends InstallationEventBase {
  @IsInt()
  @Min(1)
  version: number;

  @IsString({ each: true })
  changedFields: string[];
}

export class InstallationDecommissionedEvent extends InstallationEventBase {}

export class CredentialSubmittedEvent extends InstallationEventBase {
  @IsUUID()
  credentialVersionId: string;

  /** Keyed fingerprint only: events never carry secret material. */
  @IsString()
  fingerprint: string;
}

export class VerificationRequestedEvent extends InstallationEventBase {
  @IsUUID()
  receiptId: string;

  @IsUUID()
  credentialVersionId: string;

  @IsIn(VERIFICATION_TRIGGERS)
  trigger: VerificationTrigger;
}

export class VerificationCompletedEvent extends InstallationEventBase {
  @IsUUID()
  receiptId: string;

  @IsUUID()
  credentialVersionId: string;

  @IsIn(['success', 'failure'])
  outcome: 'success' | 'failure';

  @IsOptional()
  @IsIn(FAILURE_CLASSES)
  failureClass?: FailureClass | null;

  /**
   * The milestones this check reached, in the order records-api applies them. They travel in the
   * completion itself (one message per verification, applied in one transaction) rather than as
   * separate milestone.reached messages: fewer messages, and no two messages of one verification
   * racing for the same installation row.
   */
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(MILESTONES.length)
  @IsIn(MILESTONES, { each: true })
  milestones?: Milestone[];

  /** The installation's status the worker saw when it decided the milestones (diagnostics). */
  @IsOptional()
  @IsIn(INSTALLATION_STATUSES)
  expectedStatus?: InstallationStatus;
}

export class MilestoneReachedEvent extends InstallationEventBase {
  @IsIn(MILESTONES)
  milestone: Milestone;

  @IsOptional()
  @IsUUID()
  receiptId?: string | null;

  @IsOptional()
  @IsUUID()
  credentialVersionId?: string | null;

  @IsOptional()
  @IsIn(INSTALLATION_STATUSES)
  expectedStatus?: InstallationStatus;
}

/** The typed map from routing key to payload: a handler cannot receive the wrong shape. */
export interface EventPayloads {
  [RoutingKey.InstallationCreated]: InstallationCreatedEvent;
  [RoutingKey.InstallationUpdated]: InstallationUpdatedEvent;
  [RoutingKey.InstallationDecommissioned]: InstallationDecommissionedEvent;
  [RoutingKey.CredentialSubmitted]: CredentialSubmittedEvent;
  [RoutingKey.VerificationRequested]: VerificationRequestedEvent;
  [RoutingKey.VerificationCompleted]: VerificationCompletedEvent;
  [RoutingKey.MilestoneReached]: MilestoneReachedEvent;
}

export const PAYLOAD_CLASS: { [K in RoutingKey]: new () => EventPayloads[K] } = {
  [RoutingKey.InstallationCreated]: InstallationCreatedEvent,
  [RoutingKey.InstallationUpdated]: InstallationUpdatedEvent,
  [RoutingKey.InstallationDecommissioned]: InstallationDecommissionedEvent,
  [RoutingKey.CredentialSubmitted]: CredentialSubmittedEvent,
  [RoutingKey.VerificationRequested]: VerificationRequestedEvent,
  [RoutingKey.VerificationCompleted]: VerificationCompletedEvent,
  [RoutingKey.MilestoneReached]: MilestoneReachedEvent,
};

export interface DomainEvent<K extends RoutingKey = RoutingKey> {
  routingKey: K;
  payload: EventPayloads[K];
}
