import { Client } from 'pg';
import type { DataSource, EntityManager } from 'typeorm';
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

/** How long the fast path gathers confirmed rows before marking them sent in one UPDATE. */
const MARK_COALESCE_MS = 50;

/**
 * Not prepared. A generic plan made while the table was small chose the partial index of pending
 * rows and filtered it by id; kept as the table grew, it visited every pending (and, until a
 * vacuum, every once-pending) row: 0.57 ms a mark in the pipeline bench, growing with the table.
 * Planned per call it looks the ids up by primary key.
 */
const MARK_SENT =
  'UPDATE outbox_events SET sent_at = now(), attempts = attempts + 1, last_error = NULL WHERE id = ANY($1::uuid[]) AND sent_at IS NULL';

interface ClaimedRow {
  id: string;
  exchange: string;
  routing_key: string;
  payload: unknown;
  created_at: Date;
}

/**
 * Publishes committed outbox rows, two ways. The rows this process's write path commits are handed
 * over in memory and published at once (the fast path: one UPDATE marks them sent). Every other
 * due row is found by a scan that claims rows with FOR UPDATE SKIP LOCKED inside a transaction held
 * over the publish, so replicas share the work. Either way a row is marked sent only after the
 * broker confirmed it, and a failure leaves it pending with attempts, last_error and a backoff. A
 * row can be published twice (a crash between confirm and mark, a fast path slower than the
 * hand-off grace): consumers deduplicate on the message id.
 */
export class OutboxRelay {
  private listener: Client | null = null;
  private timer: NodeJS.Timeout | null = null;
  private running = false;
  private draining: Promise<void> | null = null;
  private again = false;
  /** Ids this process committed and has not published yet (the fast path). */
  private committed: OutboundMessage[] = [];
  private publishingCommitted: Promise<void> | null = null;
  /** Fast-path marks still running (awaited on stop, before the pool closes). */
  private readonly marking = new Set<Promise<void>>();
  /** Rows the broker confirmed on the fast path, waiting for the next coalesced mark. */
  private confirmed: string[] = [];
  private markTimer: NodeJS.Timeout | null = null;
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
    this.unsubscribe = this.options.commits?.subscribe((messages) => this.publishCommitted(messages)) ?? null;
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
    this.markConfirmed();
    await Promise.all([...this.marking]);
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
   * Fast path: publishes the rows this process just committed, from memory, batching whatever
   * commits arrive while a batch is out; markConfirmed marks them sent. No claim is needed: the
   * write path made the rows invisible to the scans for OUTBOX_HANDOFF_GRACE_MS. Rows it cannot
   * publish now (broker down) are left to the scan.
   */
  private publishCommitted(messages: OutboundMessage[]): void {
    if (!this.running) return;
    this.committed.push(...messages);
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
      const messages = this.committed.splice(0, this.options.batchSize ?? 100);
      const results = await this.publishAll(messages);
      this.confirmed.push(...messages.filter((_, i) => results[i].status === 'fulfilled').map((message) => message.id));
      this.markTimer ??= setTimeout(() => this.markConfirmed(), MARK_COALESCE_MS);
      if (results.some((result) => result.status === 'rejected')) this.track(this.markFailures(messages, results, this.dataSource));
    }
  }

  /**
   * One UPDATE (one commit) marks every row confirmed in the last MARK_COALESCE_MS, off the
   * publishing path: under load a mark per batch was about a commit per verification. A mark lost
   * in a crash only means the row is published again after the grace; consumers drop the copy.
   */
  private markConfirmed(): void {
    if (this.markTimer) clearTimeout(this.markTimer);
    this.markTimer = null;
    const ids = this.confirmed.splice(0, this.confirmed.length);
    if (ids.length === 0) return;
    this.track(this.dataSource.query(MARK_SENT, [ids]).then(() => undefined));
  }

  private track(marking: Promise<void>): void {
    const tracked: Promise<void> = marking
      .catch((error: unknown) => {
        this.logger.warn(`outbox relay: marking published rows failed (the scan republishes them): ${errorMessage(error)}`);
      })
      .finally(() => this.marking.delete(tracked));
    this.marking.add(tracked);
  }

  private publishAll(messages: OutboundMessage[]): Promise<Array<PromiseSettledResult<void>>> {
    return Promise.allSettled(messages.map((message) => this.publisher.publish(message)));
  }

  /**
   * Gives the rows the broker did not confirm a backoff, on `on` (the scan's claiming transaction,
   * or the pool). `sent_at IS NULL`: on the fast path, a scan that took the row after the grace
   * period has published and marked it already.
   */
  private async markFailures(
    messages: OutboundMessage[],
    results: Array<PromiseSettledResult<void>>,
    on: EntityManager | DataSource,
  ): Promise<void> {
    for (const [i, result] of results.entries()) {
      if (result.status === 'fulfilled') continue;
      const reason = errorMessage(result.reason).slice(0, 500);
      await on.query(
        // Backoff 1 s doubling to 30 s: short enough to drain well within a minute of recovery.
        `UPDATE outbox_events SET attempts = attempts + 1, last_error = $2,
           available_at = now() + make_interval(secs => LEAST(30, power(2, LEAST(attempts, 5))::int))
         WHERE id = $1 AND sent_at IS NULL`,
        [messages[i].id, reason],
      );
      this.logger.warn(`outbox relay: ${messages[i].routingKey} ${messages[i].id} not published: ${reason}`);
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

  /** Publishes the oldest due rows (the scan), claimed so that replicas share them. */
  private async publishBatch(): Promise<{ claimed: number }> {
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    try {
      await runner.startTransaction();
      // Ordered by available_at alone so the partial index answers it without a sort.
      const rows: ClaimedRow[] = await runner.query(
        `SELECT id, exchange, routing_key, payload, created_at FROM outbox_events
          WHERE sent_at IS NULL AND available_at <= now()
          ORDER BY available_at LIMIT $1 FOR UPDATE SKIP LOCKED`,
        [this.options.batchSize ?? 100],
      );
      const messages = rows.map(toMessage);
      const results = await this.publishAll(messages);
      const sent = messages.filter((_, i) => results[i].status === 'fulfilled').map((message) => message.id);
      if (sent.length > 0) await runner.query(MARK_SENT, [sent]);
      await this.markFailures(messages, results, runner.manager);
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
