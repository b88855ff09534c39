import type { SandboxLogEntry } from './partner-sandbox';
import { startPipeline, waitFor, type Pipeline } from './support/pipeline';
import { pipelineClient } from './support/pipeline-client';

const CONCURRENCY = 3;

/** RELIABILITY R6: concurrent partner calls never exceed the configured bound (prefetch). */
describe('verification pipeline: bounded partner concurrency', () => {
  let p: Pipeline;
  let api: ReturnType<typeof pipelineClient>;
  const calls: Array<{ start: number; end: number }> = [];

  beforeAll(async () => {
    const log = (entry: SandboxLogEntry) => {
      if (entry.event === 'partner_call') calls.push({ start: Date.now() - entry.ms, end: Date.now() });
    };
    p = await startPipeline(
      { parkwhizClients: [{ clientId: 'pw-slow', clientSecret: 'pw-slow-secret-0001' }], locationIds: ['4412'], log },
      { env: { VERIFIER_CONCURRENCY: String(CONCURRENCY) } },
    );
    api = pipelineClient(p);
  }, 30_000);
  afterAll(async () => p?.close());

  it(`12 checks with 250 ms partner latency never have more than ${CONCURRENCY} calls in flight`, async () => {
    p.sandbox.server.setFault('*', { latencyMs: 250 });
    const ids = await Promise.all(Array.from({ length: 12 }, () => api.createParkWhiz('pw-slow', 'pw-slow-secret-0001')));
    for (const id of ids) await api.waitForStatus(id, 'active', 30_000);
    await waitFor(() => calls.length >= 24, 5000, 'every call logged');
    const edges = calls
      .flatMap((c) => [
        { at: c.start, delta: 1 },
        { at: c.end, delta: -1 },
      ])
      .sort((a, b) => a.at - b.at || a.delta - b.delta);
    let inFlight = 0;
    let peak = 0;
    for (const edge of edges) {
      inFlight += edge.delta;
      peak = Math.max(peak, inFlight);
    }
    expect(peak).toBeLessThanOrEqual(CONCURRENCY);
    expect(peak).toBeGreaterThanOrEqual(2); // and the bound is actually used
  }, 60_000);
});
