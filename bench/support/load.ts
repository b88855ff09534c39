import autocannon from 'autocannon';
import jwt from 'jsonwebtoken';
import { readFileSync } from 'node:fs';
import { DEV_JWT_SECRET, loadEnvironment } from '@app/common';

export interface LoadFigures {
  requestsPerSecond: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
  requests: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  /** CPU time the server process spent per answered request (user + system), in ms. */
  serverCpuMsPerRequest: number | null;
  /** How busy the whole machine was while measuring (all cores, every process), in percent. */
  machineBusyPercent: number;
}

export interface LoadPlan {
  connections: number;
  durationSeconds: number;
  warmupSeconds: number;
}

/** Signed exactly like test/support/test-app.ts `tokenFor`, against the environment the API runs with. */
export function viewerToken(env: NodeJS.ProcessEnv): string {
  return benchToken(env, 'viewer');
}

export function benchToken(env: NodeJS.ProcessEnv, role: 'viewer' | 'engineer' | 'auditor' | 'admin'): string {
  const config = loadEnvironment(env);
  const sub = `bench-${role}`;
  return jwt.sign({ roles: [role], name: sub }, config.JWT_SECRET ?? DEV_JWT_SECRET, {
    algorithm: 'HS256',
    subject: sub,
    issuer: config.JWT_ISSUER,
    audience: config.JWT_AUDIENCE,
    expiresIn: 600,
  });
}

/** Seconds of CPU a process has used, from /proc (Linux); null elsewhere. */
export function processCpuSeconds(pid: number | undefined): number | null {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime + stime, in USER_HZ (100)
  } catch {
    return null;
  }
}

function machineTicks(): { busy: number; total: number } {
  try {
    const ticks = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    const total = ticks.reduce((a, b) => a + b, 0);
    return { busy: total - ticks[3] - ticks[4], total }; // idle and iowait are not busy
  } catch {
    return { busy: 0, total: 0 };
  }
}

/**
 * Closed-loop load: `connections` clients each send the next request as soon as the last one is
 * answered, for a fixed duration after an unrecorded warmup at the same concurrency. `nextPath`
 * is called per request (random ids, cursors). `serverPid` lets the figures include the server's
 * own CPU per request, which other load on the machine disturbs far less than req/s.
 */
export async function runLoad(
  baseUrl: string,
  nextPath: () => string,
  plan: LoadPlan,
  headers: Record<string, string>,
  serverPid?: number,
): Promise<LoadFigures> {
  const options = {
    url: baseUrl,
    connections: plan.connections,
    timeout: 10,
    headers,
    requests: [{ method: 'GET', setupRequest: (request: autocannon.RawRequest) => ({ ...request, path: nextPath() }) }],
  };
  if (plan.warmupSeconds > 0) await autocannon({ ...options, duration: plan.warmupSeconds });
  const cpuBefore = processCpuSeconds(serverPid);
  const machineBefore = machineTicks();
  const result = await autocannon({ ...options, duration: plan.durationSeconds });
  const cpuAfter = processCpuSeconds(serverPid);
  const machineAfter = machineTicks();
  const answered = result['2xx'] + result.non2xx;
  const machineTotal = machineAfter.total - machineBefore.total;
  return {
    requestsPerSecond: round(result.requests.average),
    p50Ms: result.latency.p50,
    p90Ms: result.latency.p90,
    p99Ms: result.latency.p99,
    maxMs: result.latency.max,
    requests: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    serverCpuMsPerRequest:
      cpuBefore !== null && cpuAfter !== null && answered > 0 ? round(((cpuAfter - cpuBefore) * 1000) / answered, 3) : null,
    machineBusyPercent: machineTotal > 0 ? round(((machineAfter.busy - machineBefore.busy) / machineTotal) * 100) : 0,
  };
}

/** One request at a time, for per-page latency while walking cursors. */
export async function timedGet(url: string, headers: Record<string, string>): Promise<{ ms: number; status: number; body: unknown }> {
  const started = process.hrtime.bigint();
  const response = await fetch(url, { headers });
  const body: unknown = await response.json();
  return { ms: Number(process.hrtime.bigint() - started) / 1e6, status: response.status, body };
}

export function round(value: number, digits = 1): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}
