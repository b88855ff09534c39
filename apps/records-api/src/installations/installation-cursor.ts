import { DomainError } from '@app/common';

/** Keyset cursor over (created_at DESC, id DESC): stable under inserts, O(page) at any depth. */
export interface InstallationCursor {
  createdAt: string;
  id: string;
}

export function encodeCursor(cursor: InstallationCursor): string {
  return Buffer.from(`${cursor.createdAt}|${cursor.id}`, 'utf8').toString('base64url');
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function decodeCursor(raw: string): InstallationCursor {
  const [createdAt, id, ...rest] = Buffer.from(raw, 'base64url').toString('utf8').split('|');
  if (rest.length > 0 || !id || !UUID.test(id) || !createdAt || Number.isNaN(Date.parse(createdAt))) {
    throw DomainError.validation([{ path: 'query.cursor', message: 'is not a cursor this API issued' }]);
  }
  return { createdAt, id };
}
