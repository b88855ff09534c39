import { AmqpConnection } from '../libs/common/src';
import { StatusConsumer } from '../apps/records-api/src/status/status.module';
import { VerificationConsumer } from '../apps/verifier-worker/src/verification/verification.consumer';
import { canManageBroker, dropBrokerConnections } from './support/broker';
import { startPipeline, waitFor, type Pipeline } from './support/pipeline';
import { pipelineClient } from './support/pipeline-client';

/** RELIABILITY R3/R7 (in small): connections lost → reconnect, consumers re-attach, the outbox drains. */
describe('verification pipeline: broker connection loss', () => {
  let p: Pipeline;
  let api: ReturnType<typeof pipelineClient>;
  let manageable = false;

  beforeAll(async () => {
    manageable = await canManageBroker();
    p = await startPipeline({ parkwhizClients: [{ clientId: 'pw-good', clientSecret: 'pw-good-secret-0001' }], locationIds: ['4412'] });
    api = pipelineClient(p);
  }, 60_000);
  afterAll(async () => p?.close());

  it('keeps events written while disconnected and delivers them after reconnecting', async () => {
    if (!manageable) return void process.stderr.write('skipped: rabbitmqctl cannot manage the local broker\n');
    const dropped = await dropBrokerConnections(p.topology.prefix);
    expect(dropped).toBeGreaterThanOrEqual(2);
    // Written while (or right after) the apps lost the broker: the outbox holds it.
    const id = await api.createParkWhiz('pw-good', 'pw-good-secret-0001');
    await waitFor(() => p.api.app.get(AmqpConnection).connected && p.worker.get(AmqpConnection).connected, 30_000, 'reconnected');
    await waitFor(
      () => p.api.app.get(StatusConsumer).consumer.attached && p.worker.get(VerificationConsumer).consumer.attached,
      30_000,
      'consumers re-attached',
    );
    await api.waitForStatus(id, 'active', 30_000);
    // Rows are marked sent a moment after the broker confirmed them (marks are coalesced), so a
    // consumer can be done with a message before its row is marked: the outbox drains, soon.
    const pending = async () =>
      (
        await p.api.dataSource.query(
          `SELECT count(*)::int AS n FROM outbox_events WHERE sent_at IS NULL AND routing_key <> 'nobody.listens.v1'`,
        )
      )[0].n as number;
    await waitFor(async () => (await pending()) === 0, 5000, 'outbox drained');
  }, 90_000);
});
