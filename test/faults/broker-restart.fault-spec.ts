import { FaultPipeline } from './support/fault-pipeline';
import { expectExactlyOnce, readLedger, report } from './support/ledger';
import { stopPrivateInstances } from './support/private-instances';
import { bringWorkInFlight, pendingOutboxBefore, SANDBOX_LATENCY_MS, TOTAL, waitForFinalState } from './support/scenario';

/**
 * Issue 3 item 10 (a); RELIABILITY R1, R3, R7: the private RabbitMQ node is stopped and started
 * while verifications are queued, in hand and being created.
 */
describe('fault (a): RabbitMQ restart under load', () => {
  let p: FaultPipeline | undefined;

  beforeAll(async () => {
    p = await FaultPipeline.create('broker', SANDBOX_LATENCY_MS);
    await p.startApi();
  }, 300_000);
  afterAll(async () => {
    await p?.close();
    await stopPrivateInstances();
  }, 120_000);

  it(`${TOTAL} verifications: 0 lost, 0 duplicated; consumers back within 30 s, outbox drained within 60 s`, async () => {
    const pipeline = p!;
    const started = Date.now();
    const { load, atFault, backlog } = await bringWorkInFlight(pipeline);

    const stoppedAt = Date.now();
    await pipeline.broker.stop();
    const createdWhileDown = load.count;
    await pipeline.broker.start();
    const backAt = Date.now();
    const createdDuringOutage = load.count - createdWhileDown;
    const pendingAtReturn = await pendingOutboxBefore(pipeline, backAt);

    // R7: both apps' consumers re-attach on their own.
    await pipeline.until(() => pipeline.consumersAttached(), 30_000, 'consumers re-attached');
    const reattachMs = Date.now() - backAt;
    // R3: everything written to either outbox before the broker returned is published within 60 s.
    await pipeline.until(async () => (await pendingOutboxBefore(pipeline, backAt)) === 0, 60_000, 'outbox backlog drained');
    const drainMs = Date.now() - backAt;

    await load.finished;
    expect(load.count).toBe(TOTAL - Math.floor(TOTAL / 2));
    const finalMs = await waitForFinalState(pipeline, () => TOTAL);
    const ledger = await readLedger(pipeline);
    report('broker restart', {
      backlog,
      atFault,
      outageMs: backAt - stoppedAt,
      createdDuringOutage,
      pendingAtReturn,
      reattachMs,
      drainMs,
      finalAfterMs: finalMs,
      partnerCalls: pipeline.sandbox.server.callCount(),
      ledger,
      totalMs: Date.now() - started,
    });
    // The restart hit real work: events waited in the outbox while the broker was away.
    expect(pendingAtReturn).toBeGreaterThan(0);
    expect(reattachMs).toBeLessThanOrEqual(30_000);
    expect(drainMs).toBeLessThanOrEqual(60_000);
    expectExactlyOnce(ledger, TOTAL);
  });
});
