/**
 * Micro-batching for message consumers, used for group commit and for batched reads: the
 * deliveries handled concurrently (up to the prefetch) each hand their item to `submit`, and one
 * call of `run` (one transaction, one query) takes all items that are waiting when it starts.
 * While it runs, the next items queue up and share the next call, so the batch size follows the load by itself: one item when traffic is light (no added latency),
 * dozens under a backlog (one commit, one audit-chain lock and one fsync for all of them).
 *
 * A failed batch is retried item by item when `isolate(error)` says the failure may belong to
 * one item (a poison message must not take its neighbours down with it); failures that concern
 * everyone (the database is down) reject the whole batch at once.
 */
export interface BatcherOptions {
  /** Most items per transaction: bounds lock hold time and statement size. */
  maxBatch: number;
  /** True when a failed batch should be retried one item at a time; default: always. */
  isolate?: (error: unknown) => boolean;
  /**
   * Batches in flight at once (default 1). Above 1, an item that arrives while a batch commits
   * starts the next one at once instead of waiting for that commit; batches then finish in any
   * order, so use it only where items do not depend on one another's order.
   */
  concurrency?: number;
}

interface Waiting<I, R> {
  item: I;
  resolve: (result: R) => void;
  reject: (error: unknown) => void;
}

export class Batcher<I, R> {
  private readonly queue: Array<Waiting<I, R>> = [];
  private active = 0;

  /** `run` handles a batch (one transaction, one query) and answers one result per item, in order. */
  constructor(
    private readonly run: (items: I[]) => Promise<R[]>,
    private readonly options: BatcherOptions,
  ) {
    if (!Number.isInteger(options.maxBatch) || options.maxBatch < 1) throw new Error('maxBatch must be a positive integer');
    const concurrency = options.concurrency ?? 1;
    if (!Number.isInteger(concurrency) || concurrency < 1) throw new Error('concurrency must be a positive integer');
  }

  submit(item: I): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      // setImmediate: items submitted by the deliveries of the same I/O turn join one batch.
      if (this.active < (this.options.concurrency ?? 1)) {
        this.active++;
        setImmediate(() => void this.drain());
      }
    });
  }

  /** Items waiting for a transaction (for tests and shutdown logs). */
  get waiting(): number {
    return this.queue.length;
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, this.options.maxBatch);
      await this.commitBatch(batch);
    }
    this.active--;
  }

  private async commitBatch(batch: Array<Waiting<I, R>>): Promise<void> {
    try {
      const results = await this.run(batch.map((w) => w.item));
      if (results.length !== batch.length) throw new Error(`batch answered ${results.length} results for ${batch.length} items`);
      batch.forEach((w, i) => w.resolve(results[i]));
    } catch (error) {
      const isolate = batch.length > 1 && (this.options.isolate?.(error) ?? true);
      if (!isolate) {
        for (const w of batch) w.reject(error);
        return;
      }
      for (const w of batch) await this.commitBatch([w]);
    }
  }
}
