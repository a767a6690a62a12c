import { Gauge, Registry } from 'prom-client';

/** The states BullMQ counts; `prioritized` is where jobs with a priority wait. */
export const QUEUE_STATES = [
  'waiting',
  'prioritized',
  'delayed',
  'active',
  'completed',
  'failed',
  'paused',
  'waiting-children',
] as const;

export interface CountableQueue {
  readonly name: string;
  getJobCounts(...types: string[]): Promise<Record<string, number>>;
}

/**
 * `agentq_queue_jobs{queue,state}`: read from Redis on each scrape (one round trip per queue),
 * so it costs nothing between scrapes and is never stale. Completed and failed count only what
 * Redis still retains (see removeOnComplete/removeOnFail); PostgreSQL has the full history.
 */
export function registerQueueDepthMetric(registry: Registry, queues: CountableQueue[]): Gauge {
  return new Gauge({
    name: 'agentq_queue_jobs',
    help: 'Jobs in each BullMQ queue by state, read from Redis at scrape time',
    labelNames: ['queue', 'state'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const queue of queues) {
        try {
          const counts = await queue.getJobCounts(...QUEUE_STATES);
          for (const state of QUEUE_STATES)
            this.set({ queue: queue.name, state }, counts[state] ?? 0);
        } catch {
          // Redis unavailable: leave the series out rather than report a false zero.
        }
      }
    },
  });
}
