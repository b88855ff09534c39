import { Batcher } from './batcher';

/** A commit function that records each batch it was given and can be told to fail. */
function recordingCommit(fail: (items: number[]) => Error | null = () => null) {
  const batches: number[][] = [];
  const commit = async (items: number[]): Promise<string[]> => {
    batches.push([...items]);
    await new Promise((resolve) => setTimeout(resolve, 5));
    const error = fail(items);
    if (error) throw error;
    return items.map((n) => `done ${n}`);
  };
  return { batches, commit };
}

describe('Batcher', () => {
  it('commits the items submitted in the same turn together and answers each its own result', async () => {
    const { batches, commit } = recordingCommit();
    const group = new Batcher(commit, { maxBatch: 10 });
    const results = await Promise.all([1, 2, 3].map((n) => group.submit(n)));
    expect(results).toEqual(['done 1', 'done 2', 'done 3']);
    expect(batches).toEqual([[1, 2, 3]]);
  });

  it('queues items that arrive during a commit into the next batch, up to maxBatch each', async () => {
    const { batches, commit } = recordingCommit();
    const group = new Batcher(commit, { maxBatch: 2 });
    const first = group.submit(1);
    await new Promise((resolve) => setImmediate(resolve));
    const later = [2, 3, 4].map((n) => group.submit(n));
    await Promise.all([first, ...later]);
    expect(batches).toEqual([[1], [2, 3], [4]]);
    expect(group.waiting).toBe(0);
  });

  it('isolates a failing item: its neighbours commit, only it is rejected', async () => {
    const poison = new Error('item 2 is poison');
    const { batches, commit } = recordingCommit((items) => (items.includes(2) ? poison : null));
    const group = new Batcher(commit, { maxBatch: 10 });
    const settled = await Promise.allSettled([1, 2, 3].map((n) => group.submit(n)));
    expect(settled).toEqual([
      { status: 'fulfilled', value: 'done 1' },
      { status: 'rejected', reason: poison },
      { status: 'fulfilled', value: 'done 3' },
    ]);
    expect(batches).toEqual([[1, 2, 3], [1], [2], [3]]);
  });

  it('rejects the whole batch at once when the failure is not one item’s (isolate false)', async () => {
    const down = new Error('database is down');
    const { batches, commit } = recordingCommit(() => down);
    const group = new Batcher(commit, { maxBatch: 10, isolate: (error) => error !== down });
    const settled = await Promise.allSettled([1, 2].map((n) => group.submit(n)));
    expect(settled.map((s) => s.status)).toEqual(['rejected', 'rejected']);
    expect(batches).toEqual([[1, 2]]);
  });

  it('rejects every item when the commit answers the wrong number of results', async () => {
    const group = new Batcher(async () => ['only one'], { maxBatch: 10, isolate: () => false });
    const settled = await Promise.allSettled([1, 2].map((n) => group.submit(n)));
    expect(settled.every((s) => s.status === 'rejected')).toBe(true);
  });

  it('keeps working after a failed batch', async () => {
    let failNext = true;
    const group = new Batcher(
      async (items: number[]) => {
        if (failNext) {
          failNext = false;
          throw new Error('once');
        }
        return items;
      },
      { maxBatch: 10 },
    );
    await expect(group.submit(1)).rejects.toThrow('once');
    await expect(group.submit(2)).resolves.toBe(2);
  });

  it('refuses a batch size that is not a positive integer', () => {
    expect(() => new Batcher(async (items: number[]) => items, { maxBatch: 0 })).toThrow('maxBatch');
  });

  it('with concurrency 2, an item arriving during a commit starts the next batch at once', async () => {
    const started: number[][] = [];
    const releases: Array<() => void> = [];
    const group = new Batcher(
      async (items: number[]) => {
        started.push([...items]);
        await new Promise<void>((resolve) => releases.push(resolve));
        return items;
      },
      { maxBatch: 10, concurrency: 2 },
    );
    const first = group.submit(1);
    await new Promise((resolve) => setImmediate(resolve));
    const second = group.submit(2);
    await new Promise((resolve) => setImmediate(resolve));
    const third = group.submit(3);
    await new Promise((resolve) => setImmediate(resolve));
    expect(started).toEqual([[1], [2]]); // the third waits: two batches are out
    releases[1]();
    await expect(second).resolves.toBe(2);
    await new Promise((resolve) => setImmediate(resolve));
    expect(started).toEqual([[1], [2], [3]]);
    releases[0]();
    releases[2]();
    await expect(Promise.all([first, third])).resolves.toEqual([1, 3]);
  });

  it('refuses a concurrency that is not a positive integer', () => {
    expect(() => new Batcher(async (items: number[]) => items, { maxBatch: 1, concurrency: 0 })).toThrow('concurrency');
  });
});
