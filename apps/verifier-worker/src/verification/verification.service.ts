import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import {
  credentialAad,
  CredentialCipher,
  CredentialDecryptionError,
  CredentialVersion,
  DomainError,
  Installation,
  isMessageId,
  MessagingSettings,
  parseEvent,
  RoutingKey,
  type Delivery,
  type Disposition,
  type VerificationRequestedEvent,
} from '@app/common';
import { VerifierSettings } from '../config/verifier-settings';
import { notAttempted, type CheckResult } from './check-result';
import { PartnerCheck } from './partner-check';
import { VERIFICATION_CONSUMER, VerificationRecorder } from './verification-recorder';

/**
 * Handles `verification.requested.v1`: decrypt, call the partner, record the receipt. Every path
 * ends in a disposition (ack, dead-letter, retry); only unexpected errors throw: a database
 * outage is waited out by the consumer (isDatabaseUnavailable), anything else (a receipt not
 * visible yet) is requeued up to the delivery limit.
 */
@Injectable()
export class VerificationService {
  private readonly logger = new Logger('Verification');
  private readonly maxRetries: number;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly cipher: CredentialCipher,
    private readonly check: PartnerCheck,
    private readonly recorder: VerificationRecorder,
    private readonly settings: VerifierSettings,
    messaging: MessagingSettings,
  ) {
    this.maxRetries = messaging.retryDelaysMs().length;
  }

  async handle(delivery: Delivery): Promise<Disposition> {
    const messageId = delivery.messageId;
    if (!isMessageId(messageId)) return { kind: 'dead_letter', reason: 'message id is not a uuid' };
    if (delivery.routingKey !== RoutingKey.VerificationRequested)
      return { kind: 'dead_letter', reason: `unexpected routing key ${delivery.routingKey}` };
    let event: VerificationRequestedEvent;
    try {
      event = parseEvent(RoutingKey.VerificationRequested, delivery.body);
    } catch (error) {
      if (error instanceof DomainError)
        return { kind: 'dead_letter', reason: `${error.message}: ${error.details.map((d) => `${d.path} ${d.message}`).join('; ')}` };
      throw error;
    }
    // One read: the receipt, and whether this message was recorded already (a redelivery must not
    // call the partner a second time).
    const [receipt] = (await this.dataSource.manager.query(
      `SELECT r.id, r.installation_id, r.credential_version_id, r.state,
              EXISTS (SELECT 1 FROM processed_messages p WHERE p.consumer = $2 AND p.message_id = $3) AS processed
         FROM verification_receipts r WHERE r.id = $1`,
      [event.receiptId, VERIFICATION_CONSUMER, messageId],
    )) as Array<{ id: string; installation_id: string; credential_version_id: string; state: string; processed: boolean }>;
    if (receipt?.processed) return { kind: 'ack' };
    // The request commits before its event is published, so a missing receipt is not a race: it is
    // retried up to the delivery limit and then dead-lettered for a human to look at.
    if (!receipt) throw new Error(`receipt ${event.receiptId} not found`);
    if (receipt.installation_id !== event.installationId || receipt.credential_version_id !== event.credentialVersionId) {
      return { kind: 'dead_letter', reason: `receipt ${receipt.id} does not match the event` };
    }
    if (receipt.state === 'completed') return { kind: 'ack' };

    const startedAt = new Date();
    const result = await this.perform(event);
    if (result.transient && delivery.retryAttempt < this.maxRetries) {
      this.logger.log(
        `receipt ${receipt.id}: ${result.failureClass ?? 'failure'}, retry ${delivery.retryAttempt + 1} of ${this.maxRetries}`,
      );
      return { kind: 'retry', attempt: delivery.retryAttempt };
    }
    // Recorded or found to be a duplicate: either way the message is settled.
    await this.recorder.record(event, result, {
      messageId,
      workerId: this.settings.VERIFIER_WORKER_ID,
      startedAt,
      attempts: delivery.retryAttempt + 1,
    });
    return { kind: 'ack' };
  }

  private async perform(event: VerificationRequestedEvent): Promise<CheckResult> {
    const manager = this.dataSource.manager;
    const [installation, credential] = await Promise.all([
      manager.findOne(Installation, { where: { id: event.installationId } }),
      manager.findOne(CredentialVersion, { where: { id: event.credentialVersionId } }),
    ]);
    if (!installation || !credential) return notAttempted('installation or credential no longer exists');
    if (installation.status === 'decommissioned') return notAttempted('installation is decommissioned; not checked');
    if (credential.state === 'superseded' || credential.state === 'revoked') {
      return notAttempted(`credential version ${credential.version} was ${credential.state} before it was checked`);
    }
    let secrets: Record<string, string>;
    try {
      const plaintext = this.cipher.decrypt(
        { keyId: credential.keyId, ciphertext: credential.secretCiphertext },
        credentialAad(installation.id, credential.version),
      );
      secrets = JSON.parse(plaintext) as Record<string, string>;
    } catch (error) {
      if (error instanceof CredentialDecryptionError) return notAttempted(error.message);
      throw error;
    }
    return this.check.run(installation, secrets);
  }
}
