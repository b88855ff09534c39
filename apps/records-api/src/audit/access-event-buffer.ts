import { BeforeApplicationShutdown, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { appendAuditRecords, EnvironmentVariables, type AuditRecord } from '@app/common';

/** Flush early once this many are waiting, so a burst of reads does not grow memory. */
const FLUSH_AT = 200;
/**
 * Rows per append. One INSERT carries 18 parameters a row and PostgreSQL takes at most 65,535, so
 * a backlog (the database slow for a second at 2,000 reads/s) must not become one INSERT: it would
 * fail on every retry and the backlog would only grow.
 */
const MAX_BATCH_ROWS = 1000;
/** Past this, the database has been unreachable for a long time: keep the newest, say so loudly. */
const MAX_PENDING = 50_000;

/**
 * Access events (reads) are appended in batches: one chain lock per batch instead of one per
 * GET. Flushed on an interval, when the batch is full, and on shutdown (before the database
 * connection closes), so a clean shutdown loses none. A crash can lose at most one interval of
 * reads; changes never go through here (they are audited in their own transaction).
 */
@Injectable()
export class AccessEventBuffer implements OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown {
  private readonly logger = new Logger(AccessEventBuffer.name);
  private pending: AuditRecord[] = [];
  private flushing: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly env: EnvironmentVariables,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.flush(), this.env.AUDIT_ACCESS_FLUSH_MS);
    this.timer.unref();
  }

  record(record: AuditRecord): void {
    this.pending.push(record.occurredAt ? record : { ...record, occurredAt: new Date() });
    if (this.pending.length > MAX_PENDING) {
      const dropped = this.pending.splice(0, this.pending.length - MAX_PENDING);
      this.logger.error({ dropped: dropped.length }, 'access audit buffer overflow: oldest access events dropped');
    }
    if (this.pending.length >= FLUSH_AT) void this.flush();
  }

  get size(): number {
    return this.pending.length;
  }

  /**
   * Appends everything pending, one transaction of at most MAX_BATCH_ROWS at a time, until empty
   * or an append fails (the next flush retries). Callers wait for a flush in progress, so appends
   * from this buffer never run side by side.
   */
  async flush(): Promise<void> {
    for (;;) {
      while (this.flushing) await this.flushing;
      if (this.pending.length === 0) return;
      if (!this.dataSource.isInitialized) {
        this.logger.error({ pending: this.pending.length }, 'database closed before access events were flushed');
        return;
      }
      const batch = this.pending.splice(0, MAX_BATCH_ROWS);
      let appended = true;
      this.flushing = this.dataSource
        .transaction((manager) => appendAuditRecords(manager, batch, this.env.AUDIT_CHAIN_COUNT))
        .then(
          () => undefined,
          (error: unknown) => {
            appended = false;
            // Put them back in order; the next flush retries.
            this.pending = [...batch, ...this.pending];
            this.logger.error({ err: error, pending: this.pending.length }, 'access audit flush failed; will retry');
          },
        )
        .finally(() => {
          this.flushing = null;
        });
      await this.flushing;
      if (!appended) return;
    }
  }

  async beforeApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.flush();
  }

  /** Requests that finished after beforeApplicationShutdown, if the connection is still open. */
  async onApplicationShutdown(): Promise<void> {
    await this.flush();
  }
}
