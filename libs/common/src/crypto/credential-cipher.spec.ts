import { randomBytes } from 'node:crypto';
import { CredentialCipher, CredentialDecryptionError, fingerprintSecret, lastFour, parseKeyring } from './credential-cipher';

const key = (): string => randomBytes(32).toString('base64');

describe('CredentialCipher', () => {
  const keys = `k1:${key()},k2:${key()}`;
  const cipher = CredentialCipher.fromConfig(keys, 'k1');

  it('round-trips with the active key id recorded', () => {
    const sealed = cipher.encrypt('s3cret-value', 'inst-1:1');
    expect(sealed.keyId).toBe('k1');
    expect(sealed.ciphertext.includes(Buffer.from('s3cret-value'))).toBe(false);
    expect(cipher.decrypt(sealed, 'inst-1:1')).toBe('s3cret-value');
  });

  it('rejects a truncated 4-byte tag', () => {
    const sealed = cipher.encrypt('s3cret-value', 'aad');
    const iv = sealed.ciphertext.subarray(0, 12);
    const tag = sealed.ciphertext.subarray(12, 16);
    const body = sealed.ciphertext.subarray(28);
    const truncated = { keyId: 'k1', ciphertext: Buffer.concat([iv, tag, body]) };
    expect(() => cipher.decrypt(truncated, 'aad')).toThrow(CredentialDecryptionError);
  });

  it('rejects wrong additional data', () => {
    const sealed = cipher.encrypt('s3cret-value', 'inst-1:1');
    expect(() => cipher.decrypt(sealed, 'inst-2:1')).toThrow(new CredentialDecryptionError('authentication_failed'));
  });

  it('rejects an unknown key id', () => {
    const sealed = cipher.encrypt('s3cret-value', 'aad');
    expect(() => cipher.decrypt({ ...sealed, keyId: 'gone' }, 'aad')).toThrow(new CredentialDecryptionError('unknown_key_id'));
  });

  it('rejects a tampered ciphertext', () => {
    const sealed = cipher.encrypt('s3cret-value', 'aad');
    sealed.ciphertext[sealed.ciphertext.length - 1] ^= 1;
    expect(() => cipher.decrypt(sealed, 'aad')).toThrow(CredentialDecryptionError);
  });

  it('rewraps onto a new active key and the old key can then be retired', () => {
    const sealed = cipher.encrypt('s3cret-value', 'aad');
    const next = CredentialCipher.fromConfig(keys, 'k2');
    const rewrapped = next.rewrap(sealed, 'aad');
    expect(rewrapped.keyId).toBe('k2');
    const k2Only = new CredentialCipher(new Map([['k2', parseKeyring(keys).get('k2') as Buffer]]), 'k2');
    expect(k2Only.decrypt(rewrapped, 'aad')).toBe('s3cret-value');
  });
});

describe('parseKeyring', () => {
  it.each([
    ['', 'at least one key'],
    ['nocolon', 'kid:base64key'],
    [`bad id:${key()}`, 'must match'],
    ['k1:c2hvcnQ=', 'must be 32 bytes'],
    [`k1:${key()},k1:${key()}`, 'appears twice'],
  ])('refuses %j', (spec, message) => {
    expect(() => parseKeyring(spec)).toThrow(message);
  });

  it('refuses an active key id missing from the ring', () => {
    expect(() => CredentialCipher.fromConfig(`k1:${key()}`, 'k9')).toThrow('not in CREDENTIALS_KEYS');
  });
});

describe('fingerprint and last four', () => {
  it('is keyed: the same secret under two keys differs, and is stable under one', () => {
    expect(fingerprintSecret('a', 'secret')).toBe(fingerprintSecret('a', 'secret'));
    expect(fingerprintSecret('a', 'secret')).not.toBe(fingerprintSecret('b', 'secret'));
    expect(fingerprintSecret('a', 'secret')).not.toContain('secret');
  });

  it('masks short secrets entirely', () => {
    expect(lastFour('abc')).toBe('****');
    expect(lastFour('abcdefghijkl')).toBe('ijkl');
  });
});
