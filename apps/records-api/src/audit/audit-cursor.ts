import { DomainError } from '@app/common';

/** Keyset cursor over audit seq: stable while rows are appended, O(page) at any depth. */
export function encodeSeqCursor(seq: string): string {
  return Buffer.from(`seq:${seq}`, 'utf8').toString('base64url');
}

export function decodeSeqCursor(raw: string): string {
  const match = /^seq:(\d{1,19})$/.exec(Buffer.from(raw, 'base64url').toString('utf8'));
  if (!match) throw DomainError.validation([{ path: 'query.cursor', message: 'is not a cursor this API issued' }]);
  return match[1];
}
