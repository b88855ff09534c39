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

/** Exactly what encodeCursor is given (to_char … .US"Z"), on a real calendar day PostgreSQL accepts. */
const ISSUED_TIMESTAMP = /^(\d{4})-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

function isIssuedTimestamp(value: string): boolean {
  const match = ISSUED_TIMESTAMP.exec(value);
  if (!match || Number(match[1]) < 1) return false;
  const millis = `${value.slice(0, 23)}Z`;
  const parsed = new Date(millis);
  // Date rolls 2026-02-30 over to March; PostgreSQL refuses it (a 500 instead of a 400).
  return !Number.isNaN(parsed.getTime()) && parsed.toISOString() === millis;
}

export function decodeCursor(raw: string): InstallationCursor {
  const [createdAt, id, ...rest] = Buffer.from(raw, 'base64url').toString('utf8').split('|');
  if (rest.length > 0 || !id || !UUID.test(id) || !createdAt || !isIssuedTimestamp(createdAt)) {
    throw DomainError.validation([{ path: 'query.cursor', message: 'is not a cursor this API issued' }]);
  }
  return { createdAt, id };
}
