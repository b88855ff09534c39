import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import {
  canonicalJson,
  ChangeSet,
  credentialAad,
  CredentialCipher,
  CredentialVersion,
  DomainError,
  EnvironmentVariables,
  fingerprintSecret,
  getVendorTemplate,
  Installation,
  lastFour,
  PreparedStatement,
  RoutingKey,
  validateTemplateSection,
  type Environment,
  type MaskedSecretField,
  type Vendor,
  type VerificationTrigger,
} from '@app/common';

const DAY_MS = 24 * 3600 * 1000;

const NEXT_CREDENTIAL_VERSION = new PreparedStatement(
  'credentials_next_version',
  `SELECT COALESCE(MAX(version), 0) + 1 AS next,
                (SELECT fingerprint FROM credential_versions WHERE installation_id = $1 AND state IN ('active', 'pending')
                  ORDER BY version DESC LIMIT 1) AS previous_fingerprint
           FROM credential_versions WHERE installation_id = $1`,
);

/**
 * Every write of a submission, in one statement (a round trip each was most of its cost): an older
 * credential still awaiting verification is replaced, never verified afterwards; the new version is
 * stored pending with its receipt; a draft installation now awaits verification (its row version
 * moves with the status, as every status change does).
 */
const STORE_SUBMISSION = new PreparedStatement(
  'credentials_store_submission',
  `WITH superseded AS (
         UPDATE credential_versions SET state = 'superseded', superseded_at = now() WHERE installation_id = $1 AND state = 'pending'
       ), stored AS (
         INSERT INTO credential_versions (id, installation_id, version, state, key_id, secret_ciphertext, fingerprint, masked_fields,
                                          submitted_at, submitted_by, rotation_due_at)
         VALUES ($2, $1, $3, 'pending', $4, $5, $6, $7::jsonb, $8, $9, $10)
       ), awaiting AS (
         UPDATE installations SET status = 'pending_verification', status_changed_at = $8, version = version + 1, updated_at = now()
          WHERE id = $1 AND $11::boolean
       )
       INSERT INTO verification_receipts (id, installation_id, credential_version_id, trigger, requested_by) VALUES ($12, $1, $2, $13, $9)`,
);

/**
 * Stores a new credential version and queues its verification, inside the caller's unit of work.
 * Shared by create, PUT /credentials and imports so that there is one way a secret enters.
 */
@Injectable()
export class CredentialWriter {
  constructor(
    private readonly cipher: CredentialCipher,
    private readonly env: EnvironmentVariables,
  ) {}

  async submit(
    changes: ChangeSet,
    installation: Pick<Installation, 'id' | 'vendor' | 'environment' | 'status'>,
    credentials: Record<string, unknown>,
    trigger: VerificationTrigger,
  ): Promise<{ credential: CredentialVersion; receiptId: string }> {
    const vendor = installation.vendor as Vendor;
    const problems = validateTemplateSection(vendor, 'credentials', credentials, 'credentials', {
      environment: installation.environment as Environment,
    });
    if (problems.length > 0) throw DomainError.validation(problems);
    if (installation.status === 'decommissioned') throw new DomainError('conflict', `installation ${installation.id} is decommissioned`);

    const manager = changes.manager;
    // The caller holds the installation's row lock, so the next version number cannot race.
    const [{ next, previous_fingerprint: previousFingerprint }]: Array<{ next: number; previous_fingerprint: string | null }> =
      await NEXT_CREDENTIAL_VERSION.run(manager, [installation.id]);
    const version = Number(next);
    const secrets = Object.fromEntries(Object.entries(credentials).map(([k, v]) => [k, String(v)]));
    const maskedFields: Record<string, MaskedSecretField> = {};
    for (const [field, value] of Object.entries(secrets)) {
      maskedFields[field] = { fingerprint: fingerprintSecret(this.env.FINGERPRINT_KEY, value), last4: lastFour(value) };
    }
    const sealed = this.cipher.encrypt(JSON.stringify(secrets), credentialAad(installation.id, version));
    const now = new Date();
    const credential = Object.assign(new CredentialVersion(), {
      id: randomUUID(),
      installationId: installation.id,
      version,
      state: 'pending',
      keyId: sealed.keyId,
      secretCiphertext: sealed.ciphertext,
      fingerprint: fingerprintSecret(this.env.FINGERPRINT_KEY, canonicalJson(secrets)),
      maskedFields,
      submittedAt: now,
      submittedBy: changes.actor.id,
      verifiedAt: null,
      rotationDueAt: new Date(now.getTime() + getVendorTemplate(vendor).rotationPolicy.maxCredentialAgeDays * DAY_MS),
      supersededAt: null,
      revokedAt: null,
    } satisfies Partial<CredentialVersion>);
    const receiptId = randomUUID();
    const awaitsFirstVerification = installation.status === 'draft' || installation.status === 'auth_failed';
    await STORE_SUBMISSION.run(manager, [
      installation.id,
      credential.id,
      version,
      credential.keyId,
      credential.secretCiphertext,
      credential.fingerprint,
      JSON.stringify(maskedFields),
      now.toISOString(),
      credential.submittedBy,
      credential.rotationDueAt.toISOString(),
      awaitsFirstVerification,
      receiptId,
      trigger,
    ]);
    if (awaitsFirstVerification) {
      changes.audit({
        action: 'milestone.reached',
        targetType: 'installation',
        targetId: installation.id,
        changes: [{ field: 'status', before: installation.status, after: 'pending_verification' }],
        metadata: { milestone: 'credentials_submitted' },
      });
    }
    changes.audit({
      action: 'credential.submitted',
      targetType: 'installation',
      targetId: installation.id,
      changes: [{ field: 'credentials', before: previousFingerprint, after: credential.fingerprint }],
      metadata: { credentialVersion: version, keyId: sealed.keyId, fields: Object.keys(maskedFields) },
    });
    const actor = { type: changes.actor.type, id: changes.actor.id, requestId: changes.actor.requestId };
    const occurredAt = now.toISOString();
    changes.publish({
      routingKey: RoutingKey.CredentialSubmitted,
      payload: {
        installationId: installation.id,
        occurredAt,
        actor,
        credentialVersionId: credential.id,
        fingerprint: credential.fingerprint,
      },
    });
    changes.publish({
      routingKey: RoutingKey.VerificationRequested,
      payload: { installationId: installation.id, occurredAt, actor, receiptId, credentialVersionId: credential.id, trigger },
    });
    return { credential, receiptId };
  }
}
