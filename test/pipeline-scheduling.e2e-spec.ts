import { createWorker } from '../apps/verifier-worker/src/create-worker';
import { ReverificationScheduler } from '../apps/verifier-worker/src/scheduling/reverification-scheduler';
import { startPipeline, waitFor, type Pipeline } from './support/pipeline';
import { pipelineClient } from './support/pipeline-client';

const INTERVAL_MS = 2000;

/** Issue 3 item 6: scheduled re-verification, once per interval, with two worker replicas. */
describe('verification pipeline: scheduled re-verification', () => {
  let p: Pipeline;
  let api: ReturnType<typeof pipelineClient>;

  beforeAll(async () => {
    p = await startPipeline(
      { parkwhizClients: [{ clientId: 'pw-good', clientSecret: 'pw-good-secret-0001' }], locationIds: ['4412'] },
      { env: { VERIFIER_REVERIFY_INTERVAL_MS: String(INTERVAL_MS), VERIFIER_SCHEDULER_TICK_MS: '200' } },
    );
    api = pipelineClient(p);
  }, 30_000);
  afterAll(async () => p?.close());

  it('re-verifies live installations every interval, never twice at once, across two replicas', async () => {
    const second = await createWorker();
    try {
      const ids = [await api.createParkWhiz('pw-good', 'pw-good-secret-0001'), await api.createParkWhiz('pw-good', 'pw-good-secret-0001')];
      for (const id of ids) await api.waitForStatus(id, 'active');
      const scheduled = async (id: string) => (await api.receipts(id)).filter((r) => r.trigger === 'scheduled');
      for (const id of ids)
        await waitFor(async () => (await scheduled(id)).filter((r) => r.state === 'completed').length >= 2, 15_000, 'two scheduled checks');
      for (const id of ids) {
        const rows: Array<{ requested_at: Date }> = await p.api.dataSource.query(
          `SELECT requested_at FROM verification_receipts WHERE installation_id = $1 AND trigger = 'scheduled' ORDER BY requested_at`,
          [id],
        );
        const gaps = rows.slice(1).map((row, i) => row.requested_at.getTime() - rows[i].requested_at.getTime());
        // Due = last requested check + interval, so two replicas never queue the same check twice.
        for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(INTERVAL_MS - 50);
        expect((await scheduled(id)).every((r) => r.outcome === 'success' || r.state === 'queued')).toBe(true);
      }
    } finally {
      await second.close();
    }
  }, 40_000);

  it('does not schedule installations that are not live', async () => {
    const id = await api.createParkWhiz('pw-good', 'wrong-secret-0000');
    await api.waitForStatus(id, 'auth_failed');
    await p.worker.get(ReverificationScheduler).planOnce();
    await new Promise((resolve) => setTimeout(resolve, INTERVAL_MS + 500));
    expect((await api.receipts(id)).filter((r) => r.trigger === 'scheduled')).toHaveLength(0);
  }, 20_000);
});
