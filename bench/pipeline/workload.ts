import { mkdirSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { BENCH_CLIENT, BENCH_LOCATION, type PipelineStack } from './pipeline-stack';

/**
 * `count` draft ParkWhiz installations pointed at the sandbox, without credentials: one created
 * through the API (so its config, endpoints and documentation are what the API writes), the rest
 * copied from it in one INSERT … SELECT with their own ids and keys. Returns the copies' ids.
 */
export async function seedDraftInstallations(stack: PipelineStack, count: number): Promise<string[]> {
  const response = await fetch(`${stack.apiUrl}/v1/installations`, {
    method: 'POST',
    headers: { authorization: `Bearer ${stack.engineerToken()}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      vendor: 'parkwhiz',
      environment: 'sandbox',
      propertyId: `bench-template-${randomUUID().slice(0, 8)}`,
      propertyName: 'Bench garage',
      config: { clientId: BENCH_CLIENT.clientId, scope: 'partner', locationIds: [BENCH_LOCATION] },
      endpoints: { baseUrl: `${stack.sandbox.url}/v4` },
      ownerTeam: 'parking-integrations',
    }),
  });
  if (response.status !== 201) throw new Error(`template installation: ${response.status} ${await response.text()}`);
  const template = ((await response.json()) as { id: string }).id;
  const { rows: columns } = await stack.db.query<{ name: string }>(
    `SELECT column_name AS name FROM information_schema.columns WHERE table_schema = 'public' AND table_name = 'installations'
      AND column_name NOT IN ('id', 'property_id', 'external_key')`,
  );
  const copied = columns.map((c) => `"${c.name}"`).join(', ');
  const { rows } = await stack.db.query<{ id: string }>(
    `INSERT INTO installations (id, property_id, external_key, ${copied})
     SELECT gen_random_uuid(), 'bench-' || n, t.vendor || ':bench-' || n || ':' || t.environment, ${columns.map((c) => `t."${c.name}"`).join(', ')}
       FROM installations t, generate_series(1, $2::int) AS n WHERE t.id = $1
     RETURNING id`,
    [template, count],
  );
  await stack.db.query('ANALYZE installations');
  return rows.map((r) => r.id);
}

export interface SubmitFigures {
  submitted: number;
  failed: number;
  firstStatus: string | null;
  /** Submissions answered per second (first send → last answer). */
  perSecond: number;
  apiP50Ms: number;
  apiP99Ms: number;
  /** When each accepted PUT was sent (epoch ms), by installation id. */
  sentAt: Map<string, number>;
  /** The installations whose submission was accepted (202). */
  accepted: string[];
}

export type SubmitPlan = { kind: 'closed'; concurrency: number } | { kind: 'rate'; perSecond: number };

/**
 * PUT /v1/installations/{id}/credentials for every id: either `concurrency` requests in flight
 * at all times, or an open loop at a fixed rate (a slow answer does not delay the next send).
 */
export async function submitCredentials(stack: PipelineStack, ids: string[], plan: SubmitPlan): Promise<SubmitFigures> {
  const headers = { authorization: `Bearer ${stack.engineerToken()}`, 'content-type': 'application/json' };
  const body = JSON.stringify({ credentials: { clientSecret: BENCH_CLIENT.clientSecret } });
  const sentAt = new Map<string, number>();
  const accepted: string[] = [];
  const apiMs: number[] = [];
  let failed = 0;
  let firstStatus: string | null = null;
  // node:http with a keep-alive agent, not fetch: the load generator shares the two cores with what
  // it measures, and fetch (undici with web streams) cost about twice as much CPU per request.
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const one = async (id: string): Promise<void> => {
    const sent = Date.now();
    try {
      const response = await put(agent, `${stack.apiUrl}/v1/installations/${id}/credentials`, headers, body);
      const answer = response.body;
      if (response.status === 202) {
        sentAt.set(id, sent);
        accepted.push(id);
      } else {
        failed++;
        firstStatus ??= `${response.status} ${answer.slice(0, 200)}`;
      }
    } catch (error) {
      failed++;
      firstStatus ??= error instanceof Error ? error.message : String(error);
    }
    apiMs.push(Date.now() - sent);
  };
  const started = Date.now();
  if (plan.kind === 'closed') {
    let next = 0;
    const lane = async (): Promise<void> => {
      while (next < ids.length) await one(ids[next++]);
    };
    await Promise.all(Array.from({ length: plan.concurrency }, lane));
  } else {
    const inFlight: Promise<void>[] = [];
    const interval = 1000 / plan.perSecond;
    for (const [i, id] of ids.entries()) {
      const due = started + i * interval;
      const wait = due - Date.now();
      if (wait > 1) await sleep(wait);
      inFlight.push(one(id));
    }
    await Promise.all(inFlight);
  }
  agent.destroy();
  const elapsed = (Date.now() - started) / 1000;
  const sorted = apiMs.sort((a, b) => a - b);
  return {
    submitted: ids.length - failed,
    failed,
    firstStatus,
    perSecond: Math.round(ids.length / elapsed),
    apiP50Ms: percentile(sorted, 0.5),
    apiP99Ms: percentile(sorted, 0.99),
    sentAt,
    accepted,
  };
}

function put(agent: Agent, url: string, headers: Record<string, string>, body: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: 'PUT', agent, headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** Polls until every installation has a completed receipt, or the deadline passes; returns how many did. */
export async function waitForCompletion(stack: PipelineStack, ids: string[], timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let done = 0;
  while (Date.now() < deadline) {
    const { rows } = await stack.db.query<{ done: string }>(
      `SELECT count(*) AS done FROM installations WHERE id = ANY($1::uuid[]) AND status IN ('active', 'auth_failed')`,
      [ids],
    );
    done = Number(rows[0].done);
    if (done === ids.length) return done;
    await sleep(250);
  }
  return done;
}

/** One verification's timeline (epoch ms). */
export interface Timeline {
  id: string;
  sent: number | null;
  requested: number;
  /** When the worker took the request (decrypted, about to call the partner). */
  started: number | null;
  /** The worker's completion, stamped as the installation's authenticated_at. */
  authenticated: number | null;
  /** When records-api applied the first milestone (its audit row): the status change is visible. */
  applied: number | null;
  outcome: string | null;
}

export async function timelines(stack: PipelineStack, ids: string[], sentAt?: Map<string, number>): Promise<Timeline[]> {
  const { rows } = await stack.db.query<{
    id: string;
    requested: Date;
    started: Date | null;
    authenticated: Date | null;
    applied: Date | null;
    outcome: string | null;
  }>(
    `SELECT i.id, r.requested_at AS requested, r.started_at AS started, i.authenticated_at AS authenticated, r.outcome,
            (SELECT min(a.occurred_at) FROM audit_events a
              WHERE a.target_type = 'installation' AND a.target_id = i.id::text AND a.action = 'milestone.reached'
                AND a.metadata->>'milestone' IN ('authenticated', 'initial_sync_complete')) AS applied
       FROM installations i JOIN verification_receipts r ON r.installation_id = i.id
      WHERE i.id = ANY($1::uuid[])`,
    [ids],
  );
  return rows.map((r) => ({
    id: r.id,
    sent: sentAt?.get(r.id) ?? null,
    requested: r.requested.getTime(),
    started: r.started?.getTime() ?? null,
    authenticated: r.authenticated?.getTime() ?? null,
    applied: r.applied?.getTime() ?? null,
    outcome: r.outcome,
  }));
}

export interface FlowFigures {
  verifications: number;
  completed: number;
  failures: number;
  /** completed ÷ (last milestone applied − first receipt requested). */
  perSecond: number;
  /** Completions per second between the 10th and 90th percentile completion (ramp-up and tail left out). */
  steadyPerSecond: number;
  latencyMs: { requestedToAuthenticated: Percentiles; requestedToApplied: Percentiles; sentToApplied: Percentiles | null };
}

export interface Percentiles {
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

export function flowFigures(lines: Timeline[]): FlowFigures {
  const done = lines.filter((l) => l.applied !== null && l.authenticated !== null);
  const failures = lines.filter((l) => l.outcome !== null && l.outcome !== 'success').length;
  const firstRequested = Math.min(...lines.map((l) => l.requested));
  const applied = done.map((l) => l.applied as number).sort((a, b) => a - b);
  const lastApplied = applied[applied.length - 1] ?? firstRequested;
  const lo = applied[Math.floor(applied.length * 0.1)];
  const hi = applied[Math.floor(applied.length * 0.9)];
  const steady = hi > lo ? (Math.floor(applied.length * 0.9) - Math.floor(applied.length * 0.1)) / ((hi - lo) / 1000) : 0;
  const withSent = done.filter((l) => l.sent !== null);
  return {
    verifications: lines.length,
    completed: done.length,
    failures,
    perSecond: round(done.length / Math.max(0.001, (lastApplied - firstRequested) / 1000)),
    steadyPerSecond: round(steady),
    latencyMs: {
      requestedToAuthenticated: percentiles(done.map((l) => (l.authenticated as number) - l.requested)),
      requestedToApplied: percentiles(done.map((l) => (l.applied as number) - l.requested)),
      sentToApplied: withSent.length > 0 ? percentiles(withSent.map((l) => (l.applied as number) - (l.sent as number))) : null,
    },
  };
}

function percentiles(values: number[]): Percentiles {
  const sorted = [...values].sort((a, b) => a - b);
  return { p50: percentile(sorted, 0.5), p90: percentile(sorted, 0.9), p99: percentile(sorted, 0.99), max: sorted[sorted.length - 1] ?? 0 };
}

function percentile(sorted: number[], q: number): number {
  if (sorted.length === 0) return 0;
  return round(sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]);
}

export function round(value: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/** One CSV per scenario in bench/results/timelines: epoch ms of each step, in request order. */
export function writeTimelines(scenario: string, lines: Timeline[]): void {
  const dir = join(__dirname, '..', 'results', 'timelines');
  mkdirSync(dir, { recursive: true });
  const rows = [...lines]
    .sort((a, b) => a.requested - b.requested)
    .map((l) => [l.id, l.sent ?? '', l.requested, l.started ?? '', l.authenticated ?? '', l.applied ?? '', l.outcome ?? ''].join(','));
  writeFileSync(
    join(dir, `${scenario.replace(/[^a-z0-9]+/gi, '-')}.csv`),
    ['id,sent,requested,started,authenticated,applied,outcome', ...rows].join('\n'),
  );
}
