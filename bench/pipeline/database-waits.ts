import type { Pool } from 'pg';

export interface WaitSample {
  /** `<application> | <state> | <wait event or "running"> | <statement start>` */
  what: string;
  /** Share of samples (in %) in which a session was doing this; sessions add up, so the total can pass 100. */
  percent: number;
}

/**
 * Samples pg_stat_activity of one database every 50 ms: which sessions wait on what, in which
 * statement. Where the time goes in a pipeline whose processes sit idle: a lock everyone queues
 * on shows up here as the top line.
 */
export class DatabaseWaits {
  private readonly counts = new Map<string, number>();
  private samples = 0;
  private running: Promise<void> | null = null;
  private stopRequested = false;

  constructor(
    private readonly pool: Pool,
    private readonly database: string,
  ) {}

  start(): void {
    this.counts.clear();
    this.samples = 0;
    this.stopRequested = false;
    this.running = this.loop();
  }

  async stop(top = 8): Promise<WaitSample[]> {
    this.stopRequested = true;
    await this.running;
    return [...this.counts.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([what, count]) => ({ what, percent: Math.round((count / Math.max(1, this.samples)) * 100) }));
  }

  private async loop(): Promise<void> {
    while (!this.stopRequested) {
      const { rows } = await this.pool.query<{ what: string }>(
        `SELECT application_name || ' | ' || state || ' | ' || coalesce(wait_event_type || ':' || wait_event, 'running') || ' | ' ||
                left(regexp_replace(query, '\\s+', ' ', 'g'), 48) AS what
           FROM pg_stat_activity
          WHERE datname = $1 AND pid <> pg_backend_pid() AND state NOT IN ('idle')`,
        [this.database],
      );
      this.samples++;
      for (const { what } of rows) this.counts.set(what, (this.counts.get(what) ?? 0) + 1);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}
