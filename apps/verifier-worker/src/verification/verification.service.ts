import { Injectable, Logger } from '@nestjs/common';
import {
  credentialAad,
  CredentialCipher,
  CredentialDecryptionError,
  DomainError,
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
import { VerificationInputsReader, type VerificationInputs } from './verification-inputs';
import { VerificationRecorder } from './verification-recorder';

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
    private readonly cipher: CredentialCipher,
    private readonly check: PartnerCheck,
    private readonly recorder: VerificationRecorder,
    private readonly inputs: VerificationInputsReader,
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
    const inputs = await this.inputs.read(messageId, event);
    // The request commits before its event is published, so a missing receipt is not a race: it is
    // retried up to the delivery limit and then dead-lettered for a human to look at.
    if (!inputs) throw new Error(`receipt ${event.receiptId} not found`);
    const { receipt } = inputs;
    // A redelivery of a message already recorded: no second partner call.
    if (inputs.processed) return { kind: 'ack' };
    if (receipt.installationId !== event.installationId || receipt.credentialVersionId !== event.credentialVersionId) {
      return { kind: 'dead_letter', reason: `receipt ${receipt.id} does not match the event` };
    }
    if (receipt.state === 'completed') return { kind: 'ack' };

    const startedAt = new Date();
    const result = await this.perform(inputs);
    if (result.transient && delivery.retryAttempt < this.maxRetries) {
      const asked = result.retryAfterSeconds === undefined ? '' : ` (the partner asked to wait ${result.retryAfterSeconds} s)`;
      this.logger.log(
        `receipt ${receipt.id}: ${result.failureClass ?? 'failure'}, retry ${delivery.retryAttempt + 1} of ${this.maxRetries}${asked}`,
      );
      return { kind: 'retry', attempt: delivery.retryAttempt, atLeastMs: (result.retryAfterSeconds ?? 0) * 1000 };
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

  private async perform({ installation, credential }: VerificationInputs): Promise<CheckResult> {
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
