import { createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';

/** DER prefix that turns a raw 32-byte Ed25519 seed into a PKCS#8 private key (RFC 8410). */
const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

/** The exact bytes a checkpoint signature covers; versioned so the format can change safely. */
export function checkpointMessage(chain: number, seq: string, hash: string, createdAt: Date): Buffer {
  return Buffer.from(`audit-checkpoint:v2|${chain}|${seq}|${hash}|${createdAt.toISOString()}`, 'utf8');
}

/**
 * What checkpoints said before there were parallel chains (all of them chain 0). Still accepted
 * for chain-0 checkpoints: a v1 signature cannot be passed off as another chain's.
 */
export function checkpointMessageV1(seq: string, hash: string, createdAt: Date): Buffer {
  return Buffer.from(`audit-checkpoint:v1|${seq}|${hash}|${createdAt.toISOString()}`, 'utf8');
}

export const CHECKPOINT_MESSAGE_FORMAT = 'audit-checkpoint:v2|{chain}|{seq}|{hash}|{createdAt}';
export const CHECKPOINT_MESSAGE_FORMAT_V1 = 'audit-checkpoint:v1|{seq}|{hash}|{createdAt}';

export interface SignedCheckpoint {
  chain: number;
  seq: string;
  hash: string;
  createdAt: Date;
  keyId: string;
  signature: string;
}

/**
 * Ed25519 rather than HMAC: the public key can be handed to auditors with an export, so they can
 * check checkpoints offline without holding anything that could forge one.
 */
export class CheckpointSigner {
  private constructor(
    readonly keyId: string,
    private readonly privateKey: KeyObject,
    private readonly publicKey: KeyObject,
  ) {}

  /** From `kid:base64(32-byte seed)` (AUDIT_CHECKPOINT_KEY). */
  static fromConfig(value: string): CheckpointSigner {
    const separator = value.indexOf(':');
    const keyId = value.slice(0, separator);
    const seed = Buffer.from(value.slice(separator + 1), 'base64');
    if (separator < 1 || seed.length !== 32) throw new Error('AUDIT_CHECKPOINT_KEY must be kid:base64 of a 32-byte Ed25519 seed');
    const privateKey = createPrivateKey({ key: Buffer.concat([ED25519_PKCS8_PREFIX, seed]), format: 'der', type: 'pkcs8' });
    return new CheckpointSigner(keyId, privateKey, createPublicKey(privateKey));
  }

  /** Signs "the head of `chain` was (`seq`, `hash`) at `createdAt`" (v2). */
  sign(chain: number, seq: string, hash: string, createdAt: Date): SignedCheckpoint {
    const signature = sign(null, checkpointMessage(chain, seq, hash, createdAt), this.privateKey).toString('base64');
    return { chain, seq, hash, createdAt, keyId: this.keyId, signature };
  }

  /** False for a wrong signature and for a key id this signer does not hold; v1 counts for chain 0 only. */
  verify(checkpoint: SignedCheckpoint): boolean {
    if (checkpoint.keyId !== this.keyId) return false;
    const { chain, seq, hash, createdAt } = checkpoint;
    const signature = Buffer.from(checkpoint.signature, 'base64');
    if (verify(null, checkpointMessage(chain, seq, hash, createdAt), this.publicKey, signature)) return true;
    return chain === 0 && verify(null, checkpointMessageV1(seq, hash, createdAt), this.publicKey, signature);
  }

  /** SPKI PEM, for auditors verifying exported checkpoints with standard tools. */
  publicKeyPem(): string {
    return this.publicKey.export({ type: 'spki', format: 'pem' }).toString();
  }
}
