import type { PartnerProbe, SyncFailure, SyncOutcome } from './partner-adapter';
import { exchange, failureFromBody, failureFromStatus, isSuccess, probeOf } from './partner-outcomes';
import type { OutboundRequest, SafeHttpClient } from './safe-http-client';

/** One configured resource to read during the initial sync (a ParkWhiz location, a SpotHero facility). */
export interface ResourceRead {
  id: string;
  request: OutboundRequest;
  /** True when the JSON body is the resource asked for. */
  isResource(body: unknown): boolean;
}

/**
 * Reads each resource in turn (sequentially: the worker bounds partner concurrency, R6).
 * 404s are collected so the detail names every missing id; any other failure stops the sync,
 * because the remaining reads would only repeat it.
 */
export async function syncResources(http: SafeHttpClient, kind: string, reads: ResourceRead[]): Promise<SyncOutcome> {
  const found: string[] = [];
  const missing: string[] = [];
  let latencyMs = 0;
  let last: { probe: PartnerProbe; httpStatus: number | null } | undefined;
  for (const read of reads) {
    const probe = probeOf(read.request.method, read.request.url);
    const result = await exchange(http, read.request, probe);
    if (!result.ok) return stop({ ...result.failure, latencyMs: latencyMs + result.failure.latencyMs }, found, missing);
    const { response } = result;
    latencyMs += response.latencyMs;
    last = { probe, httpStatus: response.status };
    const what = `${kind} ${read.id}`;
    if (response.status === 404) {
      missing.push(read.id);
    } else if (!isSuccess(response)) {
      return stop(failureFromStatus(response, probe, what, latencyMs), found, missing);
    } else if (response.body.kind !== 'json' || !read.isResource(response.body.value)) {
      return stop(failureFromBody(response, probe, what, latencyMs), found, missing);
    } else {
      found.push(read.id);
    }
  }
  if (last === undefined) throw new RangeError('syncResources needs at least one read');
  if (missing.length > 0) {
    // No DESIGN class fits "the record names a resource the partner does not have"; `contract`
    // (record and partner disagree) with reason resource_not_found lets the worker tell it apart.
    const detail = `${kind}${missing.length > 1 ? 's' : ''} ${missing.join(', ')} not found`;
    return { ok: false, failureClass: 'contract', reason: 'resource_not_found', ...last, latencyMs, detail, found, missing };
  }
  return { ok: true, ...last, latencyMs, detail: `${found.length} ${kind}(s) read: ${found.join(', ')}`, found };
}

function stop(failure: Omit<SyncFailure, 'found' | 'missing'>, found: string[], missing: string[]): SyncFailure {
  return { ...failure, found, missing };
}

/** True when `body` (or `body.data` for enveloped APIs) has an `id` equal to `id`. */
export function hasId(body: unknown, id: string): boolean {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return false;
  const value = (body as Record<string, unknown>).id;
  return (typeof value === 'string' || typeof value === 'number') && String(value) === id;
}
