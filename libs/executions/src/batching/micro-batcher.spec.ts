import { ItemOutcome, MicroBatcher } from './micro-batcher';

function recordingBatcher(maxBatchSize: number, sizeOf?: (item: number) => number) {
  const flushed: number[][] = [];
  const batcher = new MicroBatcher<number, number>(
    async (items) => {
      flushed.push(items);
      await new Promise((resolve) => setTimeout(resolve, 5));
      return items.map((item): ItemOutcome<number> =>
        item < 0 ? { ok: false, error: new Error(`bad ${item}`) } : { ok: true, value: item * 2 },
      );
    },
    { maxBatchSize, sizeOf },
  );
  return { batcher, flushed };
}

describe('MicroBatcher', () => {
  it('flushes a lone call by itself', async () => {
    const { batcher, flushed } = recordingBatcher(10);
    await expect(batcher.submit(1)).resolves.toBe(2);
    expect(flushed).toEqual([[1]]);
  });

  it('coalesces calls of one tick, and calls made during a flush into the next one', async () => {
    const { batcher, flushed } = recordingBatcher(10);
    const first = [batcher.submit(1), batcher.submit(2), batcher.submit(3)];
    await new Promise((resolve) => setImmediate(resolve));
    const second = [batcher.submit(4), batcher.submit(5)];
    await expect(Promise.all([...first, ...second])).resolves.toEqual([2, 4, 6, 8, 10]);
    expect(flushed).toEqual([
      [1, 2, 3],
      [4, 5],
    ]);
  });

  it('never flushes more than maxBatchSize items', async () => {
    const { batcher, flushed } = recordingBatcher(2);
    await Promise.all([1, 2, 3, 4, 5].map((n) => batcher.submit(n)));
    expect(flushed).toEqual([[1, 2], [3, 4], [5]]);
  });

  it('weighs items with sizeOf, but always takes at least one', async () => {
    const { batcher, flushed } = recordingBatcher(10, (item) => item);
    await Promise.all([4, 5, 30, 1].map((n) => batcher.submit(n)));
    expect(flushed).toEqual([[4, 5], [30], [1]]);
  });

  it('settles each caller with its own outcome', async () => {
    const { batcher } = recordingBatcher(10);
    const results = await Promise.allSettled([batcher.submit(1), batcher.submit(-1)]);
    expect(results[0]).toEqual({ status: 'fulfilled', value: 2 });
    expect(results[1]).toMatchObject({ status: 'rejected', reason: new Error('bad -1') });
  });

  it('rejects every caller of a flush that throws, and keeps serving later calls', async () => {
    let fail = true;
    const batcher = new MicroBatcher<number, number>(
      async (items) => {
        if (fail) throw new Error('database down');
        return items.map((value) => ({ ok: true, value }));
      },
      { maxBatchSize: 10 },
    );
    const failed = await Promise.allSettled([batcher.submit(1), batcher.submit(2)]);
    expect(failed.map((result) => result.status)).toEqual(['rejected', 'rejected']);
    fail = false;
    await expect(batcher.submit(3)).resolves.toBe(3);
  });

  it('runs up to maxConcurrentFlushes flushes at once, and no more', async () => {
    let inFlight = 0;
    let peak = 0;
    const flushed: number[][] = [];
    const batcher = new MicroBatcher<number, number>(
      async (items) => {
        flushed.push(items);
        peak = Math.max(peak, ++inFlight);
        await new Promise((resolve) => setTimeout(resolve, 20));
        inFlight -= 1;
        return items.map((value) => ({ ok: true, value }));
      },
      { maxBatchSize: 10, maxConcurrentFlushes: 2 },
    );
    const calls = [batcher.submit(1)];
    await new Promise((resolve) => setTimeout(resolve, 5));
    calls.push(batcher.submit(2));
    await new Promise((resolve) => setTimeout(resolve, 5));
    calls.push(batcher.submit(3), batcher.submit(4));
    await expect(Promise.all(calls)).resolves.toEqual([1, 2, 3, 4]);
    // 2 did not wait for 1's flush; 3 and 4 waited for a free one and went together.
    expect(flushed).toEqual([[1], [2], [3, 4]]);
    expect(peak).toBe(2);
  });
});
