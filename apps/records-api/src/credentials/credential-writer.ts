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
  RoutingKey,
  validateTemplateSection,
  VerificationReceipt,
  type Environment,
  type MaskedSecretField,
  type Vendor,
  type VerificationTrigger,
} from '@app/common';

const DAY_MS = 24 * 3600 * 1000;

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
    installation: Installation,
    credentials: Record<string, unknown>,
    trigger: VerificationTrigger,
  ): Promise<{ credential: CredentialVersion; receipt: VerificationReceipt }> {
    const vendor = installation.vendor as Vendor;
    const problems = validateTemplateSection(vendor, 'credentials', credentials, 'credentials', {
      environment: installation.environment as Environment,
    });
    if (problems.length > 0) throw DomainError.validation(problems);
    if (installation.status === 'decommissioned') throw new DomainError('conflict', `installation ${installation.id} is decommissioned`);

    const manager = changes.manager;
    const [{ next }] = await manager.query(
      'SELECT COALESCE(MAX(version), 0) + 1 AS next FROM credential_versions WHERE installation_id = $1',
      [installation.id],
    );
    const version = Number(next);
    const secrets = Object.fromEntries(Object.entries(credentials).map(([k, v]) => [k, String(v)]));
    const maskedFields: Record<string, MaskedSecretField> = {};
    for (const [field, value] of Object.entries(secrets)) {
      maskedFields[field] = { fingerprint: fingerprintSecret(this.env.FINGERPRINT_KEY, value), last4: lastFour(value) };
    }
    const sealed = this.cipher.encrypt(JSON.stringify(secrets), credentialAad(installation.id, version));
    const now = new Date();
    const previous = await manager.query(
      `SELECT id, fingerprint, state FROM credential_versions WHERE installation_id = $1 AND state IN ('active', 'pending') ORDER BY version DESC`,
      [installation.id],
    );
    // An older credential still awaiting verification is replaced, never verified afterwards.
    await manager.query(
      `UPDATE credential_versions SET state = 'superseded', superseded_at = now() WHERE installation_id = $1 AND state = 'pending'`,
      [installation.id],
    );
    const credential = await manager.save(
      CredentialVersion,
      manager.create(CredentialVersion, {
        installationId: installation.id,
        version,
        state: 'pending',
        keyId: sealed.keyId,
        secretCiphertext: sealed.ciphertext,
        fingerprint: fingerprintSecret(this.env.FINGERPRINT_KEY, canonicalJson(secrets)),
        maskedFields,
        submittedAt: now,
        submittedBy: changes.actor.id,
        rotationDueAt: new Date(now.getTime() + getVendorTemplate(vendor).rotationPolicy.maxCredentialAgeDays * DAY_MS),
      }),
    );
    if (installation.status === 'draft' || installation.status === 'auth_failed') {
      await manager.update(Installation, { id: installation.id }, { status: 'pending_verification', statusChangedAt: now });
      changes.audit({
        action: 'milestone.reached',
        targetType: 'installation',
        targetId: installation.id,
        changes: [{ field: 'status', before: installation.status, after: 'pending_verification' }],
        metadata: { milestone: 'credentials_submitted' },
      });
    }
    const receipt = await manager.save(
      VerificationReceipt,
      manager.create(VerificationReceipt, {
        installationId: installation.id,
        credentialVersionId: credential.id,
        trigger,
        requestedBy: changes.actor.id,
      }),
    );
    const previousFingerprint: string | null = previous[0]?.fingerprint ?? null;
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
      payload: { installationId: installation.id, occurredAt, actor, receiptId: receipt.id, credentialVersionId: credential.id, trigger },
    });
    return { credential, receipt };
  }
}
