import { randomUUID } from 'node:crypto';
import type { Response } from 'supertest';
import type { TestApp } from './test-app';

/** A fresh request id a test sends as X-Request-Id, so it can find (or prove the absence of) every row the request wrote. */
export function newRequestId(label = 'req'): string {
  return `${label}-${randomUUID()}`;
}

export const bearer = (token: string): [string, string] => ['Authorization', `Bearer ${token}`];

/**
 * The one error envelope (DESIGN §3): statusCode, error, message, details[], requestId; the
 * X-Request-Id header equals requestId. Optionally checks the error code and that some detail names `path`.
 */
export function expectEnvelope(res: Response, status: number, expected: { error?: string; path?: string; requestId?: string } = {}): void {
  if (res.status !== status) {
    throw new Error(`expected HTTP ${status}, got ${res.status}: ${JSON.stringify(res.body).slice(0, 2000)}`);
  }
  expect(res.headers['content-type']).toMatch(/application\/json/);
  const body = res.body as Record<string, unknown>;
  expect(body.statusCode).toBe(status);
  expect(typeof body.error).toBe('string');
  expect((body.error as string).length).toBeGreaterThan(0);
  expect(typeof body.message).toBe('string');
  expect(Array.isArray(body.details)).toBe(true);
  for (const detail of body.details as unknown[]) {
    expect(typeof (detail as { path?: unknown }).path).toBe('string');
    expect(typeof (detail as { message?: unknown }).message).toBe('string');
  }
  expect(typeof body.requestId).toBe('string');
  expect((body.requestId as string).length).toBeGreaterThan(0);
  expect(res.headers['x-request-id']).toBe(body.requestId);
  if (expected.error !== undefined) expect(body.error).toBe(expected.error);
  if (expected.requestId !== undefined) expect(body.requestId).toBe(expected.requestId);
  if (expected.path !== undefined) {
    const paths = (body.details as { path: string }[]).map((d) => d.path);
    expect(paths).toContain(expected.path);
  }
  // Never internals.
  expect(JSON.stringify(body)).not.toMatch(/QueryFailedError|at \S+ \(|node_modules|SELECT |INSERT /);
}

export interface WriteTrace {
  audit: number;
  outbox: number;
}

/**
 * Changes the request with this id committed: successful audit rows and outbox events. Refused
 * requests may leave an audit row of their own with outcome `denied` / `failure` (the trail of the
 * attempt); that records the refusal, not a change, so it is not counted here.
 */
export async function writesOf(t: TestApp, requestId: string): Promise<WriteTrace> {
  const [audit] = await t.dataSource.query(`SELECT count(*)::int AS n FROM audit_events WHERE request_id = $1 AND outcome = 'success'`, [
    requestId,
  ]);
  const [outbox] = await t.dataSource.query(`SELECT count(*)::int AS n FROM outbox_events WHERE payload->'actor'->>'requestId' = $1`, [
    requestId,
  ]);
  return { audit: audit.n as number, outbox: outbox.n as number };
}

export async function expectNothingWrittenBy(t: TestApp, requestId: string): Promise<void> {
  expect(await writesOf(t, requestId)).toEqual({ audit: 0, outbox: 0 });
}

export async function countInstallationsWithProperty(t: TestApp, propertyId: string): Promise<number> {
  const [row] = await t.dataSource.query('SELECT count(*)::int AS n FROM installations WHERE property_id = $1', [propertyId]);
  return row.n as number;
}

/** A response body as the specs read it (supertest types bodies as any anyway). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type JsonBody = Record<string, any>;
