import type { CredentialVersion, Installation } from '@app/common';
import type { CredentialSummaryView, InstallationView } from './dto/installation.view';

const iso = (date: Date | null): string | null => (date ? date.toISOString() : null);

export function toCredentialSummary(credential: CredentialVersion): CredentialSummaryView {
  return {
    id: credential.id,
    version: credential.version,
    state: credential.state,
    fingerprint: credential.fingerprint,
    fields: credential.maskedFields,
    submittedAt: credential.submittedAt.toISOString(),
    submittedBy: credential.submittedBy,
    verifiedAt: iso(credential.verifiedAt),
    rotationDueAt: iso(credential.rotationDueAt),
  };
}

/** The API's view of an installation: secrets appear only as fingerprints and last four characters. */
export function toInstallationView(installation: Installation, credentials: CredentialVersion[] = []): InstallationView {
  const active = credentials.find((c) => c.state === 'active') ?? null;
  const pending = credentials.filter((c) => c.state === 'pending').sort((a, b) => b.version - a.version)[0] ?? null;
  return {
    id: installation.id,
    vendor: installation.vendor,
    environment: installation.environment,
    propertyId: installation.propertyId,
    propertyName: installation.propertyName,
    externalKey: installation.externalKey,
    config: installation.config,
    endpoints: installation.endpoints,
    versions: installation.versions,
    ownerTeam: installation.ownerTeam,
    documentation: installation.documentation,
    status: installation.status,
    statusChangedAt: installation.statusChangedAt.toISOString(),
    milestones: {
      authenticatedAt: iso(installation.authenticatedAt),
      initialSyncCompletedAt: iso(installation.initialSyncCompletedAt),
      authFailedAt: iso(installation.authFailedAt),
      degradedAt: iso(installation.degradedAt),
      decommissionedAt: iso(installation.decommissionedAt),
      lastVerifiedAt: iso(installation.lastVerifiedAt),
    },
    installedAt: iso(installation.installedAt),
    installedBy: installation.installedBy,
    activeCredential: active ? toCredentialSummary(active) : null,
    pendingCredential: pending ? toCredentialSummary(pending) : null,
    version: installation.version,
    createdBy: installation.createdBy,
    createdAt: installation.createdAt.toISOString(),
    updatedAt: installation.updatedAt.toISOString(),
  };
}

/** The plain fields an audit diff compares (never secrets). */
export function auditSnapshot(installation: Installation): Record<string, unknown> {
  return {
    propertyName: installation.propertyName,
    config: installation.config,
    endpoints: installation.endpoints,
    versions: installation.versions,
    ownerTeam: installation.ownerTeam,
    documentation: installation.documentation,
    status: installation.status,
    installedAt: installation.installedAt,
    installedBy: installation.installedBy,
  };
}
