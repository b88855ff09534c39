import { Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DeadLetterQueue, RoutingKey, UnitOfWork, VerificationRequestedEvent } from '../libs/common/src';
import { StatusUpdatesService } from '../apps/records-api/src/status/status-updates.service';
import { VerificationRecorder } from '../apps/verifier-worker/src/verification/verification-recorder';
import type { CheckResult } from '../apps/verifier-worker/src/verification/check-result';
import { drainQueue, openTestChannel, publishConfirmed } from './support/broker';
import { startPipeline, waitFor, type Pipeline } from './support/pipeline';
import { pipelineClient } from './support/pipeline-client';
import { parkwhizInstallation } from './support/test-app';

type XDeath = Array<{ reason: string; queue: string; count: number }>;

/** Issue 3 item 9 / RELIABILITY R4, R5, R2: poison messages, unroutable publishes, duplicates. */
describe('verification pipeline: delivery guarantees', () => {
  let p: Pipeline;
  let api: ReturnType<typeof pipelineClient>;
  let test: Awaited<ReturnType<typeof openTestChannel>>;

  beforeAll(async () => {
    p = await startPipeline({ parkwhizClients: [{ clientId: 'pw-good', clientSecret: 'pw-good-secret-0001' }], locationIds: ['4412'] });
    api = pipelineClient(p);
    test = await openTestChannel();
  }, 30_000);
  afterAll(async () => {
    await test?.close();
    await p?.close();
  });

  /** Waits until the dead-letter queue holds messages, and takes them. */
  const nextDeadLetters = (timeoutMs: number) =>
    waitFor(
      async () => {
        const found = await drainQueue(test.channel, p.topology.deadLetters);
        return found.length > 0 ? found : null;
      },
      timeoutMs,
      'dead letter',
    );

  const requestBody = (overrides: Record<string, unknown> = {}) => ({
    installationId: randomUUID(),
    occurredAt: new Date().toISOString(),
    actor: { type: 'user', id: 'tester' },
    receiptId: randomUUID(),
    credentialVersionId: randomUUID(),
    trigger: 'manual',
    ...overrides,
  });

  it('a message that always fails reaches the DLQ after exactly limit + 1 deliveries while others flow', async () => {
    const poisonId = randomUUID();
    // Each failed delivery is logged once by the consumer, naming the message id.
    const logged = jest.spyOn(Logger.prototype, 'error');
    const deliveries = () => logged.mock.calls.filter(([message]) => String(message).includes(`handler failed for ${poisonId}`)).length;
    const started = Date.now();
    await publishConfirmed(test.channel, p.topology.exchanges.events, RoutingKey.VerificationRequested, requestBody(), poisonId);
    const id = await api.createParkWhiz('pw-good', 'pw-good-secret-0001');
    await api.waitForStatus(id, 'active');
    expect(Date.now() - started).toBeLessThan(3000); // not stuck behind the poison message

    const [dead] = await nextDeadLetters(20_000);
    expect(dead.properties.messageId).toBe(poisonId);
    const death = (dead.properties.headers?.['x-death'] as XDeath)[0];
    expect(death).toMatchObject({ reason: 'delivery_limit', queue: p.topology.verificationRequests.name });
    expect(deliveries()).toBe(p.topology.deliveryLimit + 1);
    logged.mockRestore();
  }, 40_000);

  it('an invalid payload or an unknown routing key is dead-lettered at once, not requeued', async () => {
    const invalidId = randomUUID();
    await publishConfirmed(
      test.channel,
      p.topology.exchanges.events,
      RoutingKey.VerificationRequested,
      requestBody({ receiptId: 'not-a-uuid' }),
      invalidId,
    );
    const notJsonId = randomUUID();
    await publishConfirmed(test.channel, p.topology.exchanges.events, RoutingKey.VerificationRequested, '{"truncated', notJsonId);
    const unknownId = randomUUID();
    await publishConfirmed(
      test.channel,
      p.topology.exchanges.events,
      RoutingKey.VerificationRequested,
      requestBody(),
      unknownId,
      'verification.requested.v9',
    );
    const dead = await waitFor(
      async () => {
        const found = await drainQueue(test.channel, p.topology.deadLetters);
        return found.length > 0 ? found : null;
      },
      10_000,
      'dead letters',
    );
    const all = [
      ...dead,
      ...(await waitFor(
        async () => (dead.length >= 3 ? [] : drainQueue(test.channel, p.topology.deadLetters).then((m) => (m.length ? m : null))),
        5000,
        'rest',
      )),
    ];
    expect(all.map((m) => m.properties.messageId).sort()).toEqual([invalidId, notJsonId, unknownId].sort());
    for (const message of all)
      expect((message.properties.headers?.['x-death'] as XDeath)[0]).toMatchObject({ reason: 'rejected', count: 1 });
  }, 30_000);

  it('every message delivered twice: one receipt, one set of milestones, one partner call', async () => {
    const id = await api.createParkWhiz('pw-good', 'pw-good-secret-0001');
    await api.waitForStatus(id, 'active');
    const calls = p.sandbox.server.callCount({ route: 'parkwhiz.token' });
    const milestoneRows = async () =>
      (
        await p.api.dataSource.query(
          `SELECT count(*)::int AS n FROM audit_events WHERE target_id = $1 AND action IN ('milestone.reached', 'verification.completed')`,
          [id],
        )
      )[0].n;
    const auditBefore = await milestoneRows();
    // Replay everything both outboxes sent for this installation, with the original message ids.
    const sent: Array<{ id: string; exchange: string; routing_key: string; payload: unknown }> = await p.api.dataSource.query(
      `SELECT id, exchange, routing_key, payload FROM outbox_events WHERE payload->>'installationId' = $1 AND sent_at IS NOT NULL`,
      [id],
    );
    expect(sent.map((e) => e.routing_key)).toEqual(
      expect.arrayContaining([RoutingKey.VerificationRequested, RoutingKey.VerificationCompleted]),
    );
    // The milestones travel inside the one completion message of the verification.
    const completion = sent.find((e) => e.routing_key === RoutingKey.VerificationCompleted);
    expect(completion?.payload).toMatchObject({ milestones: ['authenticated', 'initial_sync_complete'] });
    expect(sent.filter((e) => e.routing_key === RoutingKey.VerificationCompleted)).toHaveLength(1);
    for (const event of sent)
      await publishConfirmed(test.channel, p.topology.exchangeFor(event.exchange), event.routing_key, event.payload, event.id);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(await api.receipts(id)).toHaveLength(1);
    expect(await milestoneRows()).toBe(auditBefore);
    expect(p.sandbox.server.callCount({ route: 'parkwhiz.token' })).toBe(calls);
    expect((await api.installation(id)).status).toBe('active');
  }, 30_000);

  it('an unroutable publish is detected: the outbox row stays pending with the error', async () => {
    const [row] = await p.api.dataSource.query(
      `INSERT INTO outbox_events (id, exchange, routing_key, payload) VALUES ($1, 'installations.events', 'nobody.listens.v1', '{}'::jsonb) RETURNING id`,
      [randomUUID()],
    );
    await p.api.dataSource.query(`SELECT pg_notify('outbox_events', '')`);
    const failed = await waitFor(
      async () => {
        const [r] = await p.api.dataSource.query('SELECT sent_at, attempts, last_error FROM outbox_events WHERE id = $1', [row.id]);
        return r.attempts > 0 ? r : null;
      },
      10_000,
      'publish attempt',
    );
    expect(failed.sent_at).toBeNull();
    expect(failed.last_error).toContain('unroutable');
  });

  it('dlq list leaves messages in place; replay sends one back to the queue that dead-lettered it', async () => {
    await drainQueue(test.channel, p.topology.deadLetters);
    const id = randomUUID();
    await publishConfirmed(
      test.channel,
      p.topology.exchanges.events,
      RoutingKey.VerificationRequested,
      requestBody(),
      id,
      'verification.requested.v9',
    );
    const dlq = new DeadLetterQueue(test.channel, p.topology);
    const listed = await waitFor(
      async () => {
        const items = await dlq.list();
        await test.channel.recover(); // give back what list took, as the CLI does by closing
        return items.length > 0 ? items : null;
      },
      10_000,
      'dead letter',
    );
    expect(listed[0]).toMatchObject({ messageId: id, queue: p.topology.verificationRequests.name, reason: 'rejected' });
    const replayed = await dlq.replay((d) => d.messageId === id);
    expect(replayed.map((d) => d.messageId)).toEqual([id]);
    // Still unknown to the worker, so it comes back, this time marked as a replay.
    const [back] = await waitFor(
      async () => {
        const found = await drainQueue(test.channel, p.topology.deadLetters);
        return found.length > 0 ? found : null;
      },
      10_000,
      'replayed dead letter',
    );
    expect(back.properties.messageId).toBe(id);
    expect(back.properties.headers?.['x-replayed-from']).toBe(p.topology.deadLetters);
  }, 30_000);

  it('the status consumer refuses an illegal transition: logged, inbox recorded, no state change, no audit row', async () => {
    const engineerCreate = await p.api
      .http()
      .post('/v1/installations')
      .set(...api.auth(api.engineer))
      .send(parkwhizInstallation());
    const id = engineerCreate.body.id as string;
    expect(engineerCreate.body.status).toBe('draft');
    const milestone = (name: string) => ({
      installationId: id,
      occurredAt: new Date().toISOString(),
      actor: { type: 'service', id: 'test-worker' },
      milestone: name,
    });
    const eventId = randomUUID();
    await publishConfirmed(test.channel, p.topology.exchanges.status, RoutingKey.MilestoneReached, milestone('degraded'), eventId);
    await waitFor(
      async () => (await p.api.dataSource.query('SELECT 1 FROM processed_messages WHERE message_id = $1', [eventId])).length === 1,
      10_000,
      'handled',
    );
    expect((await api.installation(id)).status).toBe('draft');
    const audit = await p.api.dataSource.query(
      `SELECT count(*)::int AS n FROM audit_events WHERE target_id = $1 AND action = 'milestone.reached'`,
      [id],
    );
    expect(audit[0].n).toBe(0);
  });
  it('status messages in hand are applied together; one naming an unknown installation is dead-lettered alone', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) ids.push(await api.createParkWhiz('pw-good', 'pw-good-secret-0001'));
    for (const id of ids) await api.waitForStatus(id, 'active');
    const credentials: Array<{ installation_id: string; id: string }> = await p.api.dataSource.query(
      `SELECT installation_id, id FROM credential_versions WHERE installation_id = ANY($1::uuid[]) AND state = 'active'`,
      [ids],
    );
    const completion = (installationId: string, credentialVersionId: string) => ({
      installationId,
      occurredAt: new Date().toISOString(),
      actor: { type: 'service', id: 'test-worker' },
      receiptId: randomUUID(),
      credentialVersionId,
      outcome: 'failure',
      failureClass: 'vendor_error',
      milestones: ['degraded'],
    });
    const unknownId = randomUUID();
    const messages = credentials.map((c) => ({ id: randomUUID(), body: completion(c.installation_id, c.id) }));
    messages.splice(2, 0, { id: unknownId, body: completion(randomUUID(), randomUUID()) });
    // Published back to back, so the consumer holds several at once and commits them as one batch.
    await Promise.all(
      messages.map((m) => publishConfirmed(test.channel, p.topology.exchanges.status, RoutingKey.VerificationCompleted, m.body, m.id)),
    );

    for (const id of ids) await api.waitForStatus(id, 'degraded');
    const [dead] = await nextDeadLetters(10_000);
    expect(dead.properties.messageId).toBe(unknownId);
    expect((dead.properties.headers?.['x-death'] as XDeath)[0]).toMatchObject({ reason: 'rejected', count: 1 });
    const rows: Array<{ target_id: string; n: number }> = await p.api.dataSource.query(
      `SELECT target_id, count(*)::int AS n FROM audit_events
        WHERE action = 'milestone.reached' AND metadata->>'milestone' = 'degraded' AND target_id = ANY($1) GROUP BY target_id`,
      [ids],
    );
    expect(rows.map((r) => r.n)).toEqual([1, 1, 1, 1]);
    const transient: Array<{ n: number }> = await p.api.dataSource.query(
      `SELECT consecutive_transient_failures AS n FROM installations WHERE id = ANY($1::uuid[])`,
      [ids],
    );
    expect(transient.map((r) => r.n)).toEqual([1, 1, 1, 1]);
  }, 60_000);

  it('two new credentials of one installation verified in one batch: the later is active, the earlier and the old one superseded', async () => {
    const installationId = await api.createParkWhiz('pw-good', 'pw-good-secret-0001');
    await api.waitForStatus(installationId, 'active');
    // Two pending versions side by side cannot come from the API (a submission replaces a pending
    // one); written directly, they exercise the batch's "overtaken" cut-over in its one statement.
    const pending: Array<{ id: string; version: number }> = await p.api.dataSource.query(
      `INSERT INTO credential_versions (installation_id, version, state, key_id, secret_ciphertext, fingerprint, masked_fields, submitted_by)
       SELECT installation_id, version + n, 'pending', key_id, secret_ciphertext, fingerprint, masked_fields, 'tester'
         FROM credential_versions, generate_series(1, 2) AS n WHERE installation_id = $1 AND state = 'active'
       RETURNING id, version`,
      [installationId],
    );
    const [earlier, later] = pending.sort((a, b) => a.version - b.version);
    const status = new StatusUpdatesService(new UnitOfWork(p.api.dataSource));
    const verified = (credentialVersionId: string) => ({
      messageId: randomUUID(),
      routingKey: RoutingKey.VerificationCompleted,
      body: {
        installationId,
        occurredAt: new Date().toISOString(),
        actor: { type: 'service', id: 'test-worker' },
        receiptId: randomUUID(),
        credentialVersionId,
        outcome: 'success',
        failureClass: null,
        milestones: ['authenticated', 'initial_sync_complete'],
      },
      retryAttempt: 0,
      redelivered: false,
    });
    // Submitted in the same tick: one batch, in this order.
    expect(await Promise.all([status.handle(verified(earlier.id)), status.handle(verified(later.id))])).toEqual([
      { kind: 'ack' },
      { kind: 'ack' },
    ]);
    const rows: Array<{ version: number; state: string; verified: boolean; superseded: boolean }> = await p.api.dataSource.query(
      `SELECT version, state, verified_at IS NOT NULL AS verified, superseded_at IS NOT NULL AS superseded
         FROM credential_versions WHERE installation_id = $1 ORDER BY version`,
      [installationId],
    );
    expect(rows).toEqual([
      { version: 1, state: 'superseded', verified: true, superseded: true },
      { version: earlier.version, state: 'superseded', verified: true, superseded: true },
      { version: later.version, state: 'active', verified: true, superseded: false },
    ]);
    expect((await api.installation(installationId)).status).toBe('active');
  });

  /**
   * A relay that loses its "sent" mark in a database outage publishes the event again, with the same
   * message id; both copies can be in hand at once and finish into one batch (the fault test for
   * PostgreSQL -m immediate caught a completion recorded twice this way). Both consumers' batches
   * are driven directly here, because only submits of the same tick are sure to share a batch.
   */
  describe('the same message twice in one batch is applied once', () => {
    const success: CheckResult = {
      outcome: 'success',
      failureClass: null,
      detail: 'token granted',
      probe: null,
      httpStatus: 200,
      latencyMs: 5,
      authenticated: true,
      transient: false,
    };

    async function queuedReceipt(): Promise<VerificationRequestedEvent> {
      const installationId = await api.createParkWhiz('pw-good', 'pw-good-secret-0001');
      await api.waitForStatus(installationId, 'active');
      // Queued without an outbox event, so the running worker never sees it.
      const [row]: Array<{ receipt_id: string; credential_id: string }> = await p.api.dataSource.query(
        `INSERT INTO verification_receipts (installation_id, credential_version_id, trigger, requested_by)
         SELECT installation_id, id, 'manual', 'tester' FROM credential_versions WHERE installation_id = $1 AND state = 'active'
         RETURNING id AS receipt_id, credential_version_id AS credential_id`,
        [installationId],
      );
      return Object.assign(new VerificationRequestedEvent(), {
        installationId,
        occurredAt: new Date().toISOString(),
        actor: { type: 'user' as const, id: 'tester' },
        receiptId: row.receipt_id,
        credentialVersionId: row.credential_id,
        trigger: 'manual' as const,
      });
    }

    const completions = async (receiptId: string) => {
      const [audit]: Array<{ n: number }> = await p.api.dataSource.query(
        `SELECT count(*)::int AS n FROM audit_events WHERE action = 'verification.completed' AND metadata->>'receiptId' = $1`,
        [receiptId],
      );
      const [events]: Array<{ n: number }> = await p.api.dataSource.query(
        `SELECT count(*)::int AS n FROM outbox_events WHERE routing_key = $1 AND payload->>'receiptId' = $2`,
        [RoutingKey.VerificationCompleted, receiptId],
      );
      return { audit: audit.n, events: events.n };
    };

    it('verifier-worker: one copy is recorded, the other acked as a duplicate', async () => {
      const recorder = new VerificationRecorder(new UnitOfWork(p.api.dataSource));
      const event = await queuedReceipt();
      const context = { messageId: randomUUID(), workerId: 'test-worker', startedAt: new Date(), attempts: 1 };
      const outcomes = await Promise.all([recorder.record(event, success, context), recorder.record(event, success, context)]);
      expect(outcomes.sort()).toEqual(['duplicate', 'recorded']);
      expect(await completions(event.receiptId)).toEqual({ audit: 1, events: 1 });
    });

    it('verifier-worker: two different messages for one receipt complete it once', async () => {
      const recorder = new VerificationRecorder(new UnitOfWork(p.api.dataSource));
      const event = await queuedReceipt();
      const context = () => ({ messageId: randomUUID(), workerId: 'test-worker', startedAt: new Date(), attempts: 1 });
      const outcomes = await Promise.all([recorder.record(event, success, context()), recorder.record(event, success, context())]);
      expect(outcomes.sort()).toEqual(['duplicate', 'recorded']);
      expect(await completions(event.receiptId)).toEqual({ audit: 1, events: 1 });
    });

    it('records-api status consumer: the milestone and its counters move once', async () => {
      const status = new StatusUpdatesService(new UnitOfWork(p.api.dataSource));
      const event = await queuedReceipt();
      const delivery = {
        messageId: randomUUID(),
        routingKey: RoutingKey.VerificationCompleted,
        body: {
          installationId: event.installationId,
          occurredAt: new Date().toISOString(),
          actor: { type: 'service', id: 'test-worker' },
          receiptId: event.receiptId,
          credentialVersionId: event.credentialVersionId,
          outcome: 'failure',
          failureClass: 'vendor_error',
          milestones: ['degraded'],
        },
        retryAttempt: 0,
        redelivered: false,
      };
      const dispositions = await Promise.all([status.handle(delivery), status.handle({ ...delivery, redelivered: true })]);
      expect(dispositions).toEqual([{ kind: 'ack' }, { kind: 'ack' }]);
      expect((await api.installation(event.installationId)).status).toBe('degraded');
      const [row]: Array<{ transient: number; degraded: number }> = await p.api.dataSource.query(
        `SELECT i.consecutive_transient_failures AS transient,
                (SELECT count(*)::int FROM audit_events a
                  WHERE a.target_id = i.id::text AND a.action = 'milestone.reached' AND a.metadata->>'milestone' = 'degraded') AS degraded
           FROM installations i WHERE i.id = $1`,
        [event.installationId],
      );
      expect(row).toEqual({ transient: 1, degraded: 1 });
    });
  });
});
