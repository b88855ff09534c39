import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import {
  ActorContext,
  credentialAad,
  CredentialCipher,
  CredentialVersion,
  DomainError,
  Installation,
  PreparedStatement,
  UnitOfWork,
} from '@app/common';
import { toCredentialSummary } from '../installations/installation.mapper';
import type { CredentialSummaryView } from '../installations/dto/installation.view';
import { CredentialWriter } from './credential-writer';
import type { CredentialSubmissionView, RevealedCredentialView } from './dto/credentials.dto';

const LOCK_INSTALLATION = new PreparedStatement(
  'credentials_lock_installation',
  'SELECT id, vendor, environment, status FROM installations WHERE id = $1 FOR UPDATE',
);

@Injectable()
export class CredentialsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly unitOfWork: UnitOfWork,
    private readonly writer: CredentialWriter,
    private readonly cipher: CredentialCipher,
  ) {}

  /** Submit or rotate: the new version is pending until verified; the active one stays in use. */
  async submit(installationId: string, credentials: Record<string, unknown>, actor: ActorContext): Promise<CredentialSubmissionView> {
    return this.unitOfWork.run(actor, async (changes) => {
      // Locked: two submissions for one installation take version numbers one after the other.
      const [installation] = await LOCK_INSTALLATION.run<Pick<Installation, 'id' | 'vendor' | 'environment' | 'status'>>(changes.manager, [
        installationId,
      ]);
      if (!installation) throw DomainError.notFound('installation', installationId);
      if (installation.environment === 'production' && !actor.reason) {
        throw DomainError.validation(
          [{ path: 'header.X-Change-Reason', message: 'a reason is required to change production credentials' }],
          'change reason required',
        );
      }
      const { credential, receiptId } = await this.writer.submit(changes, installation, credentials, 'submitted');
      return { credential: toCredentialSummary(credential), receiptId };
    });
  }

  async listVersions(installationId: string): Promise<CredentialSummaryView[]> {
    await this.requireInstallation(installationId);
    const versions = await this.dataSource.manager.find(CredentialVersion, { where: { installationId }, order: { version: 'DESC' } });
    return versions.map(toCredentialSummary);
  }

  /**
   * The one way plaintext leaves: admin only (guard), a reason, and an audit row committed before
   * the value is returned. If the audit row cannot be written, nothing is revealed.
   */
  async reveal(installationId: string, reason: string, version: number | undefined, actor: ActorContext): Promise<RevealedCredentialView> {
    return this.unitOfWork.run({ ...actor, reason }, async (changes) => {
      await this.requireInstallation(installationId);
      const credential = await changes.manager.findOne(CredentialVersion, {
        where: version === undefined ? { installationId, state: 'active' } : { installationId, version },
      });
      if (!credential) {
        throw DomainError.notFound(
          'credential',
          version === undefined ? `(active) of installation ${installationId}` : `version ${version} of installation ${installationId}`,
        );
      }
      const plaintext = this.cipher.decrypt(
        { keyId: credential.keyId, ciphertext: credential.secretCiphertext },
        credentialAad(installationId, credential.version),
      );
      changes.audit({
        action: 'credential.revealed',
        targetType: 'installation',
        targetId: installationId,
        reason,
        metadata: { credentialVersion: credential.version, fingerprint: credential.fingerprint },
      });
      return {
        version: credential.version,
        fingerprint: credential.fingerprint,
        credentials: JSON.parse(plaintext) as Record<string, string>,
      };
    });
  }

  private async requireInstallation(id: string): Promise<void> {
    const found = await this.dataSource.query('SELECT 1 FROM installations WHERE id = $1', [id]);
    if (found.length === 0) throw DomainError.notFound('installation', id);
  }
}
