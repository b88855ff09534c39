import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { errorMessage, type MessagingLogger } from '../messaging/messaging-logger';
import { OUTBOX_NOTIFY_CHANNEL } from '../write-path/unit-of-work';
import type { OutboxCommits } from './outbox-commits';
import type { OutboundMessage, OutboxPublisher } from './outbox-publisher';

export interface OutboxRelayOptions {
  /** Connection string for the LISTEN connection (the pool's connections are not kept). */
  listenUrl: string;
  batchSize?: number;
  /**
   * Scan interval for pending rows this process was not handed (another replica's, a crashed
   * process's, a failed publish after its backoff).
   */
  pollIntervalMs?: number;
  /** This process's write path: its committed rows are published at once, by id. */
  commits?: OutboxCommits;
}

interface ClaimedRow {
  id: string;
  exchange: string;
  routing_key: string;
  payload: unknown;
  created_at: Date;
}

/**
 * Publishes committed outbox rows. Rows are claimed with FOR UPDATE SKIP LOCKED inside a
 * transaction held over the publish, so replicas share the work without publishing a row twice
 * (a crash between confirm and commit republishes: consumers deduplicate on the message id).
 * A row is marked sent only after the broker confirmed it; a failure leaves it pending with
 * attempts, last_error and a backoff.
 */
export class OutboxRelay {
  private listener: Client | null = null;
  private timer: NodeJS.Timeout | null = null;
  private running = false;
  private draining: Promise<void> | null = null;
  private again = false;
  /** Ids this process committed and has not published yet (the fast path). */
  private committed: string[] = [];
  private publishingCommitted: Promise<void> | null = null;
  private unsubscribe: (() => void) | null = null;

  constructor(
    private readonly dataSource: DataSource,
    private readonly publisher: OutboxPublisher,
    private readonly options: OutboxRelayOptions,
    private readonly logger: MessagingLogger,
  ) {}

  async start(): Promise<void> {
    this.running = true;
    await this.publisher.start();
    this.unsubscribe = this.options.commits?.subscribe((ids) => this.publishCommitted(ids)) ?? null;
    void this.listen();
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.unsubscribe?.();
    this.unsubscribe = null;
    await this.publishingCommitted;
    await this.draining;
    const listener = this.listener;
    this.listener = null;
    if (listener) await listener.end().catch(() => undefined);
    await this.publisher.stop();
  }

  /** Publishes everything that is due now; resolves when a pass found nothing more to do. */
  async drain(): Promise<void> {
    if (this.draining) {
      this.again = true;
      return this.draining;
    }
    this.draining = this.drainLoop().finally(() => {
      this.draining = null;
    });
    return this.draining;
  }

  /**
   * Fast path: publishes rows this process just committed, by primary key, batching whatever
   * commits arrive while a batch is out. Rows it cannot publish now (broker down) stay pending
   * for the scan.
   */
  private publishCommitted(ids: string[]): void {
    if (!this.running) return;
    this.committed.push(...ids);
    this.publishingCommitted ??= this.publishCommittedLoop().finally(() => {
      this.publishingCommitted = null;
    });
  }

  private async publishCommittedLoop(): Promise<void> {
    while (this.running && this.committed.length > 0) {
      if (!this.publisher.ready) {
        this.committed = [];
        return;
      }
      const ids = this.committed.splice(0, this.options.batchSize ?? 100);
      await this.publishBatch(ids).catch((error: unknown) => {
        this.logger.warn(`outbox relay: publishing committed rows failed (the scan retries them): ${errorMessage(error)}`);
      });
    }
  }

  private async drainLoop(): Promise<void> {
    do {
      this.again = false;
      while (this.running && this.publisher.ready) {
        const { claimed } = await this.publishBatch().catch((error: unknown) => {
          this.logger.warn(`outbox relay: pass failed: ${errorMessage(error)}`);
          return { claimed: 0 };
        });
        if (claimed < (this.options.batchSize ?? 100)) break;
      }
    } while (this.again && this.running);
  }

  /** Publishes the given rows (fast path) or the oldest due ones (scan). */
  private async publishBatch(ids?: string[]): Promise<{ claimed: number }> {
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    try {
      await runner.startTransaction();
      // The scan orders by available_at alone so the partial index answers it without a sort.
      const rows: ClaimedRow[] = ids
        ? await runner.query(
            `SELECT id, exchange, routing_key, payload, created_at FROM outbox_events
              WHERE id = ANY($1::uuid[]) AND sent_at IS NULL AND available_at <= now() FOR UPDATE SKIP LOCKED`,
            [ids],
          )
        : await runner.query(
            `SELECT id, exchange, routing_key, payload, created_at FROM outbox_events
              WHERE sent_at IS NULL AND available_at <= now()
              ORDER BY available_at LIMIT $1 FOR UPDATE SKIP LOCKED`,
            [this.options.batchSize ?? 100],
          );
      const results = await Promise.allSettled(rows.map((row) => this.publisher.publish(toMessage(row))));
      const sent = rows.filter((_, i) => results[i].status === 'fulfilled').map((row) => row.id);
      if (sent.length > 0) {
        await runner.query(
          'UPDATE outbox_events SET sent_at = now(), attempts = attempts + 1, last_error = NULL WHERE id = ANY($1::uuid[])',
          [sent],
        );
      }
      for (const [i, result] of results.entries()) {
        if (result.status === 'fulfilled') continue;
        const reason = errorMessage(result.reason).slice(0, 500);
        await runner.query(
          // Backoff 1 s doubling to 30 s: short enough to drain well within a minute of recovery.
          `UPDATE outbox_events SET attempts = attempts + 1, last_error = $2,
             available_at = now() + make_interval(secs => LEAST(30, power(2, LEAST(attempts, 5))::int))
           WHERE id = $1`,
          [rows[i].id, reason],
        );
        this.logger.warn(`outbox relay: ${rows[i].routing_key} ${rows[i].id} not published: ${reason}`);
      }
      await runner.commitTransaction();
      return { claimed: rows.length };
    } catch (error) {
      if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
      throw error;
    } finally {
      await runner.release();
    }
  }

  private schedule(delayMs: number): void {
    if (!this.running) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.drain().finally(() => this.schedule(this.options.pollIntervalMs ?? 1000));
    }, delayMs);
  }

  /** LISTEN on a dedicated connection; reconnects on loss, polling covers the gap. */
  private async listen(): Promise<void> {
    if (!this.running) return;
    const client = new Client({ connectionString: this.options.listenUrl, application_name: 'outbox-relay-listener' });
    client.on('error', (error: Error) => this.logger.warn(`outbox relay: listener error: ${errorMessage(error)}`));
    client.on('end', () => {
      if (this.listener !== client) return;
      this.listener = null;
      setTimeout(() => void this.listen(), 1000);
    });
    client.on('notification', () => void this.drain());
    try {
      await client.connect();
      await client.query(`LISTEN ${OUTBOX_NOTIFY_CHANNEL}`);
      if (!this.running) return void (await client.end());
      this.listener = client;
    } catch (error) {
      this.logger.warn(`outbox relay: LISTEN failed: ${errorMessage(error)}`);
      await client.end().catch(() => undefined);
      setTimeout(() => void this.listen(), 1000);
    }
  }
}

function toMessage(row: ClaimedRow): OutboundMessage {
  return { id: row.id, exchange: row.exchange, routingKey: row.routing_key, payload: row.payload, createdAt: new Date(row.created_at) };
}
