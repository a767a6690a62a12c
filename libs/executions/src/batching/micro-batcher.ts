/** How one item of a flushed batch ended: a value for its caller, or the error to reject with. */
export type ItemOutcome<R> = { ok: true; value: R } | { ok: false; error: unknown };

export interface MicroBatcherOptions<T> {
  /** Size one flush takes at most (it always takes one item); the rest go in the next flush. */
  maxBatchSize: number;
  /** An item's share of maxBatchSize; 1 when not given. */
  sizeOf?: (item: T) => number;
  /**
   * Flushes that may be in flight at once (default 1). Two let one batch's database write
   * overlap the previous batch's other round trips; only for flushes that cannot deadlock
   * each other or that recover from it.
   */
  maxConcurrentFlushes?: number;
}

/**
 * Coalesces concurrent calls into one flush: items that arrive while the flushes allowed are in
 * flight (or in the same tick as the first) go together in the next one. Each caller's promise
 * settles with its own item's outcome once the flush that took it is done. At low load a batch
 * is a single item, so nothing waits on a timer.
 */
export class MicroBatcher<T, R> {
  private pending: { item: T; resolve: (value: R) => void; reject: (error: unknown) => void }[] =
    [];
  private drains = 0;

  constructor(
    private readonly flush: (items: T[]) => Promise<ItemOutcome<R>[]>,
    private readonly options: MicroBatcherOptions<T>,
  ) {}

  submit(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.pending.push({ item, resolve, reject });
      if (this.drains < (this.options.maxConcurrentFlushes ?? 1)) {
        this.drains += 1;
        setImmediate(() => void this.drain());
      }
    });
  }

  private async drain(): Promise<void> {
    while (this.pending.length > 0) {
      const batch = this.pending.splice(0, this.nextBatchLength());
      let outcomes: ItemOutcome<R>[];
      try {
        outcomes = await this.flush(batch.map((entry) => entry.item));
      } catch (error) {
        outcomes = batch.map(() => ({ ok: false, error }));
      }
      batch.forEach((entry, index) => {
        const outcome = outcomes[index];
        if (outcome.ok) entry.resolve(outcome.value);
        else entry.reject(outcome.error);
      });
    }
    this.drains -= 1;
  }

  private nextBatchLength(): number {
    const { maxBatchSize, sizeOf } = this.options;
    if (!sizeOf) return maxBatchSize;
    let total = 0;
    let length = 0;
    while (length < this.pending.length) {
      total += sizeOf(this.pending[length].item);
      if (length > 0 && total > maxBatchSize) break;
      length += 1;
    }
    return length;
  }
}
