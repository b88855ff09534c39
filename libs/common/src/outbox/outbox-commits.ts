/**
 * In-process hand-off from the write path to this process's outbox relay: after a unit of work
 * commits, the ids of the outbox rows it wrote are announced here, and the relay publishes exactly
 * those rows by primary key at once. No NOTIFY per transaction (it takes a cluster-wide lock at
 * commit and wakes every listening relay for a full scan); rows this process could not hand over
 * (it crashed, the broker was down, another process or a script wrote them) are found by the
 * relay's periodic scan.
 */
export class OutboxCommits {
  private listener: ((ids: string[]) => void) | null = null;

  announce(ids: string[]): void {
    if (ids.length > 0) this.listener?.(ids);
  }

  /** One relay per process listens; a second subscription replaces the first. */
  subscribe(listener: (ids: string[]) => void): () => void {
    this.listener = listener;
    return () => {
      if (this.listener === listener) this.listener = null;
    };
  }
}
