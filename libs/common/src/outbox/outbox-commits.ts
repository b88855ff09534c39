import type { OutboundMessage } from './outbox-publisher';

/**
 * How long the write path keeps its own outbox rows from the relays' scans: this process's relay
 * publishes them from memory right after the commit, and a scan taking them meanwhile would publish
 * them twice. Past this grace (the process died, the broker was down) any relay's scan takes them.
 */
export const OUTBOX_HANDOFF_GRACE_MS = 5000;

/**
 * In-process hand-off from the write path to this process's outbox relay: after a unit of work
 * commits, the rows it wrote (id, routing and payload, all still in memory) are announced here, and
 * the relay publishes them at once without reading them back. No NOTIFY per transaction (it takes a
 * cluster-wide lock at commit and wakes every listening relay for a full scan); rows this process
 * could not hand over (it crashed, the broker was down, another process or a script wrote them)
 * are found by the relay's periodic scan.
 */
export class OutboxCommits {
  private listener: ((messages: OutboundMessage[]) => void) | null = null;

  /** Whether a relay of this process takes the rows this process commits. */
  get subscribed(): boolean {
    return this.listener !== null;
  }

  announce(messages: OutboundMessage[]): void {
    if (messages.length > 0) this.listener?.(messages);
  }

  /** One relay per process listens; a second subscription replaces the first. */
  subscribe(listener: (messages: OutboundMessage[]) => void): () => void {
    this.listener = listener;
    return () => {
      if (this.listener === listener) this.listener = null;
    };
  }
}
