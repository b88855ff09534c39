import { FaultPipeline } from './support/fault-pipeline';
import { expectExactlyOnce, readLedger, report } from './support/ledger';
import { stopPrivateInstances } from './support/private-instances';
import { bringWorkInFlight, SANDBOX_LATENCY_MS, TOTAL, waitForFinalState } from './support/scenario';

/**
 * Issue 3 item 10 (c); RELIABILITY R1, R8: the private PostgreSQL is stopped with `-m immediate`
 * (no shutdown checkpoint: crash recovery on start) while the API is acknowledging writes and the
 * worker is recording receipts, then started again.
 */
/** Long enough for every message in hand to fail more often than the quorum delivery limit allows. */
const MIN_OUTAGE_MS = Number(process.env.FAULTS_PG_OUTAGE_MS ?? 10_000);

describe('fault (c): PostgreSQL stopped with -m immediate under load', () => {
  let p: FaultPipeline | undefined;

  beforeAll(async () => {
    p = await FaultPipeline.create('pg', SANDBOX_LATENCY_MS);
    await p.startApi();
  }, 300_000);
  afterAll(async () => {
    await p?.close();
    await stopPrivateInstances();
  }, 120_000);

  it(`${TOTAL} verifications: every acknowledged write survives, 0 lost, 0 duplicated`, async () => {
    const pipeline = p!;
    const started = Date.now();
    const { load, loads, atFault, backlog } = await bringWorkInFlight(pipeline);

    const stoppedAt = Date.now();
    await pipeline.pg.stop('immediate');
    // Down until the API has visibly refused writes (the outage reached clients), then back.
    const refusedBefore = load.refused.length;
    await pipeline.until(
      async () => load.refused.length >= refusedBefore + 10 && Date.now() - stoppedAt >= MIN_OUTAGE_MS,
      MIN_OUTAGE_MS + 30_000,
      'writes refused while the database is down',
    );
    await pipeline.pg.start();
    const backAt = Date.now();

    await load.finished;
    expect(load.count).toBe(TOTAL - Math.floor(TOTAL / 2));
    const acknowledged = loads.flatMap((l) => l.acknowledged);
    expect(acknowledged).toHaveLength(TOTAL);
    // Whatever a refused request committed before its answer was lost is an extra installation,
    // and must reach its final state like the rest.
    const finalMs = await waitForFinalState(pipeline, () => TOTAL, 300_000);

    // R8: every 201 is in the database, including the ones acknowledged just before the stop.
    const ids = acknowledged.map((a) => a.id);
    const { rows } = await pipeline.db.query('SELECT count(*)::int AS n FROM installations WHERE id = ANY($1::uuid[])', [ids]);
    const ackedJustBeforeStop = acknowledged.filter((a) => a.ackedAt <= stoppedAt && a.ackedAt > stoppedAt - 1000).length;
    const ackedAcrossStop = acknowledged.filter((a) => a.startedAt < stoppedAt && a.ackedAt >= stoppedAt).length;
    const ledger = await readLedger(pipeline);
    report('postgres -m immediate', {
      backlog,
      atFault,
      outageMs: backAt - stoppedAt,
      refusedDuringOutage: load.refused.filter((r) => r.startedAt >= stoppedAt && r.startedAt <= backAt).length,
      refusedTotal: load.refused.length,
      acknowledged: acknowledged.length,
      acknowledgedPresent: rows[0].n,
      ackedJustBeforeStop,
      ackedAcrossStop,
      finalAfterMs: finalMs,
      partnerCalls: pipeline.sandbox.server.callCount(),
      ledger,
      totalMs: Date.now() - started,
    });
    expect(ackedJustBeforeStop).toBeGreaterThan(0);
    expect(rows[0].n).toBe(TOTAL);
    expect(ledger.installations).toBeGreaterThanOrEqual(TOTAL);
    expectExactlyOnce(ledger, ledger.installations);
  });
});
