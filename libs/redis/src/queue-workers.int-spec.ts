import { AppConfig } from '@agentq/config';
import { createTestQueuePrefix, deleteRedisKeys, testAppConfig } from '@agentq/testing';
import { Queue, Worker } from 'bullmq';
import { RedisConnections } from './redis-connections';
import { QueueWorkers } from './queue-workers';

const QUEUE = 'singleton-test';
const SCHEDULER = 'singleton-test-every';

// A singleton job's schedule against the real Redis and BullMQ.
describe('QueueWorkers.startSingleton', () => {
  let config: AppConfig;
  let connections: RedisConnections;
  let queue: Queue;
  const workers: Worker[] = [];

  beforeAll(() => {
    config = testAppConfig('postgres://unused', createTestQueuePrefix());
    connections = new RedisConnections(config, 'worker');
    queue = new Queue(QUEUE, {
      connection: connections.queues,
      prefix: connections.queuePrefix(QUEUE),
    });
  });

  afterAll(async () => {
    await Promise.all(workers.map((worker) => worker.close()));
    await queue.close();
    await connections.onApplicationShutdown();
    await deleteRedisKeys(config.redis.prefix);
  });

  const start = (everyMs: number, processor: () => Promise<void>) => {
    const worker = new QueueWorkers(connections).startSingleton(
      queue,
      { schedulerId: SCHEDULER, everyMs, name: 'tick', data: {}, opts: {} },
      processor,
      {},
    );
    workers.push(worker);
    return worker;
  };

  it('runs on a new, shorter interval at once, not on the phase of the one it replaces', async () => {
    // A process with a 10-minute interval runs its first tick, then leaves (a rolling deploy).
    let firstRuns = 0;
    const first = start(600_000, async () => {
      firstRuns += 1;
    });
    await waitUntil(() => firstRuns === 1);
    await first.close();

    // The new process's runs take longer than its interval, as a busy one's may: BullMQ then
    // catches up on the schedule's phase, which must be the new schedule's own.
    let runs = 0;
    start(100, async () => {
      runs += 1;
      await new Promise((resolve) => setTimeout(resolve, 250));
    });
    // Its first run, then two more, well before 10 minutes.
    await waitUntil(() => runs >= 3);
    expect((await queue.getJobScheduler(SCHEDULER))?.every).toBe(100);
  });
});

async function waitUntil(done: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
