import { Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import {
  AmqpConnection,
  OUTBOX_HANDOFF_GRACE_MS,
  OutboxCommits,
  OutboxPublisher,
  OutboxRelay,
  RoutingKey,
  SILENT_LOGGER,
  UnitOfWork,
} from '../libs/common/src';
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

  /** A write path whose committed rows go to `listener` (its own relay, or nothing: a process that died). */
  function writePath(listener: (ids: string[]) => void): UnitOfWork {
    const commits = new OutboxCommits();
    commits.subscribe((messages) => listener(messages.map((m) => m.id)));
    return new UnitOfWork(p.api.dataSource, 1, commits);
  }

  async function commitEvents(unitOfWork: UnitOfWork, count: number): Promise<string[]> {
    const installationIds: string[] = [];
    for (let i = 0; i < count; i += 1) {
      const installationId = randomUUID();
      installationIds.push(installationId);
      await unitOfWork.run({ type: 'service', id: 'outbox-test' }, async (changes) => {
        changes.publish({
          routingKey: RoutingKey.CredentialSubmitted,
          payload: {
            installationId,
            occurredAt: new Date().toISOString(),
            actor: { type: 'service', id: 'outbox-test' },
            credentialVersionId: randomUUID(),
            fingerprint: 'f'.repeat(64),
          },
        });
      });
    }
    const rows: Array<{ id: string }> = await p.api.dataSource.query(
      `SELECT id FROM outbox_events WHERE payload->>'installationId' = ANY($1::text[])`,
      [installationIds],
    );
    return rows.map((r) => r.id);
  }

  const pendingOf = async (ids: string[]) =>
    (await p.api.dataSource.query('SELECT count(*)::int AS n FROM outbox_events WHERE sent_at IS NULL AND id = ANY($1::uuid[])', [ids]))[0]
      .n as number;

  it("a unit of work's rows go to its own relay from memory at once; the other relays' scans leave them alone", async () => {
    const test = await openTestChannel();
    const connection = new AmqpConnection(process.env.RABBITMQ_URL ?? 'amqp://guest:guest@127.0.0.1:5672', SILENT_LOGGER, 'relay-own');
    const commits = new OutboxCommits();
    const relay = new OutboxRelay(
      p.api.dataSource,
      new OutboxPublisher(connection, p.topology, 'relay-own', SILENT_LOGGER),
      { listenUrl: String(process.env.DATABASE_URL), commits },
      new Logger('relay'),
    );
    try {
      connection.start();
      await relay.start();
      await connection.waitUntilConnected(10_000);
      await drainQueue(test.channel, p.topology.unconsumedEvents.name);
      const started = Date.now();
      const ids = await commitEvents(new UnitOfWork(p.api.dataSource, 1, commits), 20);
      await waitFor(async () => (await pendingOf(ids)) === 0, 10_000, 'published');
      // Well inside the grace: only the fast path can have published them.
      expect(Date.now() - started).toBeLessThan(OUTBOX_HANDOFF_GRACE_MS);
      const received = await waitFor(
        async () => {
          const got = await drainQueue(test.channel, p.topology.unconsumedEvents.name);
          return got.length > 0 ? got : null;
        },
        5000,
        'messages',
      );
      const more = await drainQueue(test.channel, p.topology.unconsumedEvents.name);
      const messageIds = [...received, ...more].map((m) => String(m.properties.messageId));
      expect(messageIds.sort()).toEqual([...ids].sort());
      const rows: Array<{ attempts: number; grace_ms: number }> = await p.api.dataSource.query(
        `SELECT attempts, (extract(epoch FROM available_at - created_at) * 1000)::int AS grace_ms FROM outbox_events WHERE id = ANY($1::uuid[])`,
        [ids],
      );
      expect(rows.every((r) => r.attempts === 1 && r.grace_ms === OUTBOX_HANDOFF_GRACE_MS)).toBe(true);
    } finally {
      await relay.stop();
      await connection.close();
      await test.close();
    }
  }, 30_000);

  it('rows whose process died before handing them over are published by a scan once the grace is over', async () => {
    const handedTo: string[] = [];
    const ids = await commitEvents(
      writePath((announced) => handedTo.push(...announced)),
      5,
    );
    expect(handedTo.sort()).toEqual([...ids].sort()); // announced, but nobody publishes them
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(await pendingOf(ids)).toBe(5); // the other relays' scans (every second) wait for the grace
    await waitFor(async () => (await pendingOf(ids)) === 0, OUTBOX_HANDOFF_GRACE_MS + 10_000, 'published by a scan');
  }, 30_000);
});
