import type { DataSource } from 'typeorm';
import { DEFAULT_AUDIT_CHAIN_COUNT } from '../audit/audit-chain';
import { SYSTEM_ACTOR_ID } from '../audit/audit-entry';
import { UnitOfWork } from '../write-path/unit-of-work';
import { credentialAad } from './credential-aad';
import type { CredentialCipher } from './credential-cipher';

export interface RewrapReport {
  activeKeyId: string;
  rewrapped: number;
  remainingOnOtherKeys: number;
}

/**
 * Moves every credential version onto the active key, in batches. Rows are claimed with SKIP
 * LOCKED so two runs (or a run beside live traffic) never rewrap the same row twice; each batch
 * commits with one audit row naming how many rows moved and from which key ids.
 */
export async function rewrapCredentials(
  dataSource: DataSource,
  cipher: CredentialCipher,
  batchSize = 500,
  auditChainCount = DEFAULT_AUDIT_CHAIN_COUNT,
): Promise<RewrapReport> {
  const unitOfWork = new UnitOfWork(dataSource, auditChainCount);
  let rewrapped = 0;
  for (;;) {
    const moved = await unitOfWork.run({ type: 'service', id: SYSTEM_ACTOR_ID, name: 'credentials:rewrap' }, async (changes) => {
      const rows: Array<{ id: string; installation_id: string; version: number; key_id: string; secret_ciphertext: Buffer }> =
        await changes.manager.query(
          `SELECT id, installation_id, version, key_id, secret_ciphertext FROM credential_versions
            WHERE key_id <> $1 ORDER BY id LIMIT $2 FOR UPDATE SKIP LOCKED`,
          [cipher.activeKeyId, batchSize],
        );
      const fromKeys = new Set<string>();
      for (const row of rows) {
        const aad = credentialAad(row.installation_id, row.version);
        const next = cipher.rewrap({ keyId: row.key_id, ciphertext: row.secret_ciphertext }, aad);
        await changes.manager.query('UPDATE credential_versions SET key_id = $1, secret_ciphertext = $2 WHERE id = $3', [
          next.keyId,
          next.ciphertext,
          row.id,
        ]);
        fromKeys.add(row.key_id);
      }
      if (rows.length > 0) {
        changes.audit({
          action: 'credential.rewrapped',
          targetType: 'credential_versions',
          metadata: { count: rows.length, fromKeyIds: [...fromKeys].sort(), toKeyId: cipher.activeKeyId },
        });
      }
      return rows.length;
    });
    rewrapped += moved;
    if (moved < batchSize) break;
  }
  const [{ remaining }] = await dataSource.query('SELECT count(*)::int AS remaining FROM credential_versions WHERE key_id <> $1', [
    cipher.activeKeyId,
  ]);
  return { activeKeyId: cipher.activeKeyId, rewrapped, remainingOnOtherKeys: remaining };
}
