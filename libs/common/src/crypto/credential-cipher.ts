import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';

/** Thrown when a stored secret cannot be opened; the message never contains secret material. */
export class CredentialDecryptionError extends Error {
  constructor(readonly reason: 'unknown_key_id' | 'malformed' | 'authentication_failed') {
    super(`credential cannot be decrypted: ${reason}`);
    this.name = 'CredentialDecryptionError';
  }
}

export interface EncryptedSecret {
  keyId: string;
  /** iv (12 bytes) || auth tag (16 bytes) || ciphertext */
  ciphertext: Buffer;
}

const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * Parses `CREDENTIALS_KEYS` (`kid:base64key,kid2:base64key`) into a keyring of 32-byte keys.
 * Every problem is reported with the key id, never the key.
 */
export function parseKeyring(spec: string): Map<string, Buffer> {
  const keyring = new Map<string, Buffer>();
  for (const entry of spec
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const separator = entry.indexOf(':');
    if (separator <= 0) throw new Error('CREDENTIALS_KEYS: each entry must be kid:base64key');
    const keyId = entry.slice(0, separator);
    if (!/^[A-Za-z0-9_-]{1,32}$/.test(keyId)) throw new Error(`CREDENTIALS_KEYS: key id "${keyId}" must match [A-Za-z0-9_-]{1,32}`);
    const key = Buffer.from(entry.slice(separator + 1), 'base64');
    if (key.length !== 32) throw new Error(`CREDENTIALS_KEYS: key "${keyId}" must be 32 bytes (base64), got ${key.length}`);
    if (keyring.has(keyId)) throw new Error(`CREDENTIALS_KEYS: key id "${keyId}" appears twice`);
    keyring.set(keyId, key);
  }
  if (keyring.size === 0) throw new Error('CREDENTIALS_KEYS: at least one key is required');
  return keyring;
}

/**
 * AES-256-GCM envelope for credential secrets. The additional authenticated data binds a
 * ciphertext to its row (installation id + credential version), so a ciphertext copied onto
 * another row fails to open.
 */
export class CredentialCipher {
  constructor(
    private readonly keyring: Map<string, Buffer>,
    readonly activeKeyId: string,
  ) {
    if (!keyring.has(activeKeyId)) throw new Error(`CREDENTIALS_ACTIVE_KEY_ID: "${activeKeyId}" is not in CREDENTIALS_KEYS`);
  }

  static fromConfig(keys: string, activeKeyId: string): CredentialCipher {
    return new CredentialCipher(parseKeyring(keys), activeKeyId);
  }

  encrypt(plaintext: string, additionalData: string): EncryptedSecret {
    const key = this.keyring.get(this.activeKeyId) as Buffer;
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(Buffer.from(additionalData, 'utf8'));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return { keyId: this.activeKeyId, ciphertext: Buffer.concat([iv, cipher.getAuthTag(), body]) };
  }

  decrypt(secret: EncryptedSecret, additionalData: string): string {
    const key = this.keyring.get(secret.keyId);
    if (!key) throw new CredentialDecryptionError('unknown_key_id');
    if (secret.ciphertext.length < IV_BYTES + TAG_BYTES) throw new CredentialDecryptionError('malformed');
    const iv = secret.ciphertext.subarray(0, IV_BYTES);
    const tag = secret.ciphertext.subarray(IV_BYTES, IV_BYTES + TAG_BYTES);
    const body = secret.ciphertext.subarray(IV_BYTES + TAG_BYTES);
    // authTagLength pins the tag to 16 bytes: without it Node accepts a truncated 4-byte tag.
    const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(Buffer.from(additionalData, 'utf8'));
    try {
      decipher.setAuthTag(tag);
      return Buffer.concat([decipher.update(body), decipher.final()]).toString('utf8');
    } catch {
      throw new CredentialDecryptionError('authentication_failed');
    }
  }

  /** Re-encrypts under the active key; a no-op result when already on it. */
  rewrap(secret: EncryptedSecret, additionalData: string): EncryptedSecret {
    return this.encrypt(this.decrypt(secret, additionalData), additionalData);
  }
}

/**
 * Keyed fingerprint of a secret: safe to show, log and audit, useless to an attacker without the
 * fingerprint key (a plain hash of a short API key could be brute-forced).
 */
export function fingerprintSecret(fingerprintKey: string, secret: string): string {
  return 'hmac-sha256:' + createHmac('sha256', fingerprintKey).update(secret, 'utf8').digest('hex').slice(0, 32);
}

/** Last four characters, the only part of a secret a response may show. */
export function lastFour(secret: string): string {
  return secret.length <= 8 ? '****' : secret.slice(-4);
}
