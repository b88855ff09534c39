/** Exchanges of the event topology (topic exchanges, durable). */
export const EXCHANGES = {
  /** records-api → verifier-worker: what happened to installations and credentials. */
  events: 'installations.events',
  /** verifier-worker → records-api: verification results and milestones. */
  status: 'installations.status',
} as const;
export type ExchangeName = (typeof EXCHANGES)[keyof typeof EXCHANGES];

/**
 * Versioned routing keys. A breaking payload change gets a new version (v2) published alongside
 * the old one until every consumer moved.
 */
export enum RoutingKey {
  InstallationCreated = 'installation.created.v1',
  InstallationUpdated = 'installation.updated.v1',
  InstallationDecommissioned = 'installation.decommissioned.v1',
  CredentialSubmitted = 'credential.submitted.v1',
  VerificationRequested = 'verification.requested.v1',
  VerificationCompleted = 'verification.completed.v1',
  MilestoneReached = 'milestone.reached.v1',
}

/** Which exchange carries each routing key. */
export const EXCHANGE_OF: Record<RoutingKey, ExchangeName> = {
  [RoutingKey.InstallationCreated]: EXCHANGES.events,
  [RoutingKey.InstallationUpdated]: EXCHANGES.events,
  [RoutingKey.InstallationDecommissioned]: EXCHANGES.events,
  [RoutingKey.CredentialSubmitted]: EXCHANGES.events,
  [RoutingKey.VerificationRequested]: EXCHANGES.events,
  [RoutingKey.VerificationCompleted]: EXCHANGES.status,
  [RoutingKey.MilestoneReached]: EXCHANGES.status,
};
