import { createPrivateKey, createPublicKey, sign, verify } from 'node:crypto';
import { DEV_AUDIT_CHECKPOINT_KEY, loadEnvironment } from '../config/app-config';
import { checkpointMessage, checkpointMessageV1, CheckpointSigner } from './checkpoint-signer';

const OTHER_KEY = `prod7:${Buffer.alloc(32, 7).toString('base64')}`;

describe('CheckpointSigner', () => {
  const signer = CheckpointSigner.fromConfig(DEV_AUDIT_CHECKPOINT_KEY);
  const at = new Date('2026-12-04T10:00:00.123Z');

  it('signs (chain, seq, hash, time) so that the exported public key verifies it offline', () => {
    const checkpoint = signer.sign(3, '42', 'ab'.repeat(32), at);
    expect(checkpoint.keyId).toBe('dev1');
    expect(signer.verify(checkpoint)).toBe(true);
    const publicKey = createPublicKey(signer.publicKeyPem());
    const message = checkpointMessage(3, '42', 'ab'.repeat(32), at);
    expect(message.toString()).toBe(`audit-checkpoint:v2|3|42|${'ab'.repeat(32)}|2026-12-04T10:00:00.123Z`);
    expect(verify(null, message, publicKey, Buffer.from(checkpoint.signature, 'base64'))).toBe(true);
  });

  describe('v1 checkpoints (signed before parallel chains)', () => {
    const v1Signature = (): string => {
      const privateKey = createPrivateKey({
        key: Buffer.concat([
          Buffer.from('302e020100300506032b657004220420', 'hex'),
          Buffer.from(DEV_AUDIT_CHECKPOINT_KEY.split(':')[1], 'base64'),
        ]),
        format: 'der',
        type: 'pkcs8',
      });
      return sign(null, checkpointMessageV1('42', 'ab'.repeat(32), at), privateKey).toString('base64');
    };
    const v1 = { seq: '42', hash: 'ab'.repeat(32), createdAt: at, keyId: 'dev1' };

    it('still verify as chain 0', () => {
      expect(signer.verify({ ...v1, chain: 0, signature: v1Signature() })).toBe(true);
    });

    it('do not verify as any other chain', () => {
      expect(signer.verify({ ...v1, chain: 3, signature: v1Signature() })).toBe(false);
    });
  });

  it.each([
    ['another chain', { chain: 4 }],
    ['chain 0 instead', { chain: 0 }],
    ['another seq', { seq: '43' }],
    ['another hash', { hash: 'cd'.repeat(32) }],
    ['another time', { createdAt: new Date(at.getTime() + 1) }],
    ['a forged signature', { signature: Buffer.alloc(64).toString('base64') }],
    ['an unknown key id', { keyId: 'dev2' }],
  ])('rejects %s', (_name, change) => {
    expect(signer.verify({ ...signer.sign(3, '42', 'ab'.repeat(32), at), ...change })).toBe(false);
  });

  it('does not verify with another key', () => {
    const other = CheckpointSigner.fromConfig(OTHER_KEY);
    expect(other.verify({ ...signer.sign(0, '1', 'ff', at), keyId: 'prod7' })).toBe(false);
  });

  it.each(['', 'nokid', 'dev1:c2hvcnQ=', `:${Buffer.alloc(32).toString('base64')}`])('refuses a malformed key %p', (value) => {
    expect(() => CheckpointSigner.fromConfig(value)).toThrow(/AUDIT_CHECKPOINT_KEY/);
  });
});

describe('AUDIT_CHECKPOINT_KEY configuration', () => {
  const production = {
    NODE_ENV: 'production',
    JWT_SECRET: 'p'.repeat(40),
    CREDENTIALS_KEYS: `k1:${Buffer.alloc(32, 1).toString('base64')}`,
    CREDENTIALS_ACTIVE_KEY_ID: 'k1',
    FINGERPRINT_KEY: 'prod-fingerprint-key',
  };

  it('refuses the development key in production', () => {
    expect(() => loadEnvironment(production)).toThrow(/AUDIT_CHECKPOINT_KEY: the development key is refused in production/);
    expect(loadEnvironment({ ...production, AUDIT_CHECKPOINT_KEY: OTHER_KEY }).AUDIT_CHECKPOINT_KEY).toBe(OTHER_KEY);
  });

  it('refuses a malformed key at boot', () => {
    expect(() => loadEnvironment({ AUDIT_CHECKPOINT_KEY: 'dev1:short' })).toThrow(/AUDIT_CHECKPOINT_KEY: must be kid:base64/);
  });
});
