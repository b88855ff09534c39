import { Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { AmqpConnection, OutboxPublisher, OutboxRelay, RoutingKey, SILENT_LOGGER } from '../libs/common/src';
import { drainQueue, openTestChannel } from './support/broker';
import { startPipeline, waitFor, type Pipeline } from './support/pipeline';

/** Issue 3 item 1: several relay replicas on one outbox publish every row exactly once, after confirms. */
describe('outbox relay replicas', () => {
  let p: Pipeline;
  const extra: Array<{ relay: OutboxRelay; connection: AmqpConnection }> = [];

  beforeAll(async () => {
    p = await startPipeline({});
    for (let i = 0; i < 2; i += 1) {
      const connection = new AmqpConnection(
        process.env.RABBITMQ_URL ?? 'amqp://guest:guest@127.0.0.1:5672',
        SILENT_LOGGER,
        `relay-replica-${i}`,
      );
      const publisher = new OutboxPublisher(connection, p.topology, `relay-replica-${i}`, SILENT_LOGGER);
      const relay = new OutboxRelay(
        p.api.dataSource,
        publisher,
        { listenUrl: String(process.env.DATABASE_URL), batchSize: 25 },
        new Logger('relay'),
      );
      connection.start();
      await relay.start();
      await connection.waitUntilConnected(10_000);
      extra.push({ relay, connection });
    }
  }, 30_000);
  afterAll(async () => {
    for (const { relay, connection } of extra) {
      await relay.stop();
      await connection.close();
    }
    await p?.close();
  });

  it('four relays (API, worker, two more) publish 300 rows: each exactly once, all marked sent', async () => {
    const test = await openTestChannel();
    try {
      await drainQueue(test.channel, p.topology.unconsumedEvents.name);
      const ids = Array.from({ length: 300 }, () => randomUUID());
      await p.api.dataSource.query(
        `INSERT INTO outbox_events (id, exchange, routing_key, payload)
         SELECT id, 'installations.events', $2, '{}'::jsonb FROM unnest($1::uuid[]) AS id`,
        [ids, RoutingKey.CredentialSubmitted],
      );
      await p.api.dataSource.query(`SELECT pg_notify('outbox_events', '')`);
      await waitFor(
        async () =>
          (
            await p.api.dataSource.query('SELECT count(*)::int AS n FROM outbox_events WHERE sent_at IS NULL AND id = ANY($1::uuid[])', [
              ids,
            ])
          )[0].n === 0,
        20_000,
        'drained',
      );
      const received = await drainQueue(test.channel, p.topology.unconsumedEvents.name);
      const messageIds = received.map((m) => String(m.properties.messageId));
      expect(new Set(messageIds).size).toBe(messageIds.length);
      expect(messageIds.sort()).toEqual([...ids].sort());
      expect(received[0].properties).toMatchObject({
        deliveryMode: 2,
        contentType: 'application/json',
        type: RoutingKey.CredentialSubmitted,
      });
    } finally {
      await test.close();
    }
  }, 40_000);
});
