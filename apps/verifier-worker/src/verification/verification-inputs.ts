import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import {
  Batcher,
  PreparedStatement,
  type CredentialState,
  type Installation,
  type InstallationStatus,
  type VerificationRequestedEvent,
} from '@app/common';
import { VERIFICATION_CONSUMER } from './verification-recorder';

/** Most deliveries whose inputs are read in one query (the prefetch bounds it too). */
const INPUT_BATCH_MAX = 100;

/** What one verification request needs before the partner call, read in one go. */
export interface VerificationInputs {
  receipt: { id: string; installationId: string; credentialVersionId: string; state: string };
  /** This message was recorded already: a redelivery, ack without calling the partner again. */
  processed: boolean;
  installation: (Pick<Installation, 'id' | 'vendor' | 'environment' | 'config' | 'endpoints'> & { status: InstallationStatus }) | null;
  credential: { id: string; version: number; state: CredentialState; keyId: string; secretCiphertext: Buffer } | null;
}

interface InputRow {
  message_id: string;
  receipt_id: string;
  installation_id: string;
  credential_version_id: string;
  receipt_state: string;
  processed: boolean;
  i_id: string | null;
  vendor: string;
  environment: string;
  status: InstallationStatus;
  config: Installation['config'];
  endpoints: Installation['endpoints'];
  c_id: string | null;
  version: number;
  c_state: CredentialState;
  key_id: string;
  secret_ciphertext: Buffer;
}

/**
 * Reads the receipt, the inbox entry, the installation and the credential of every request the
 * worker holds, in one query per batch of deliveries (the deliveries that arrive together share
 * it), instead of four queries per delivery.
 */
/**
 * Not prepared: a generic plan cannot see how many rows the unnest holds and, with many receipts in
 * the table, joins them by a scan of the whole table; planned per call it looks up each id.
 */
const READ_INPUTS = `SELECT t.message_id, r.id AS receipt_id, r.installation_id, r.credential_version_id, r.state AS receipt_state,
              (p.message_id IS NOT NULL) AS processed,
              i.id AS i_id, i.vendor, i.environment, i.status, i.config, i.endpoints,
              c.id AS c_id, c.version, c.state AS c_state, c.key_id, c.secret_ciphertext
         FROM unnest($1::uuid[], $2::uuid[]) AS t(receipt_id, message_id)
         JOIN verification_receipts r ON r.id = t.receipt_id
         LEFT JOIN processed_messages p ON p.consumer = $3 AND p.message_id = t.message_id
         LEFT JOIN installations i ON i.id = r.installation_id
         LEFT JOIN credential_versions c ON c.id = r.credential_version_id`;

@Injectable()
export class VerificationInputsReader {
  private readonly batches = new Batcher<{ messageId: string; receiptId: string }, VerificationInputs | null>(
    (requests) => this.readBatch(requests),
    { maxBatch: INPUT_BATCH_MAX, isolate: () => false },
  );

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Null when the receipt does not exist. */
  read(messageId: string, event: VerificationRequestedEvent): Promise<VerificationInputs | null> {
    return this.batches.submit({ messageId: messageId.toLowerCase(), receiptId: event.receiptId.toLowerCase() });
  }

  private async readBatch(requests: Array<{ messageId: string; receiptId: string }>): Promise<Array<VerificationInputs | null>> {
    const rows: InputRow[] = await this.dataSource.query(READ_INPUTS, [
      requests.map((r) => r.receiptId),
      requests.map((r) => r.messageId),
      VERIFICATION_CONSUMER,
    ]);
    const byMessage = new Map(rows.map((row) => [row.message_id, row]));
    return requests.map(({ messageId }) => {
      const row = byMessage.get(messageId);
      return row ? toInputs(row) : null;
    });
  }
}

function toInputs(row: InputRow): VerificationInputs {
  return {
    receipt: {
      id: row.receipt_id,
      installationId: row.installation_id,
      credentialVersionId: row.credential_version_id,
      state: row.receipt_state,
    },
    processed: row.processed,
    installation:
      row.i_id === null
        ? null
        : {
            id: row.i_id,
            vendor: row.vendor,
            environment: row.environment,
            status: row.status,
            config: row.config,
            endpoints: row.endpoints,
          },
    credential:
      row.c_id === null
        ? null
        : { id: row.c_id, version: row.version, state: row.c_state, keyId: row.key_id, secretCiphertext: row.secret_ciphertext },
  };
}
