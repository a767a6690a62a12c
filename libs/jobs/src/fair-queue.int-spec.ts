import { createTestQueuePrefix, deleteRedisKeys, testServices } from '@agentq/testing';
import { Job, Queue, Worker } from 'bullmq';
import { executionJob } from './execution.job';
import { assignFairPriorities, FairJobRequest, tenantBacklogs } from './fair-queue';

describe('fair queue priorities (real Redis, real BullMQ)', () => {
  const prefix = createTestQueuePrefix();
  let queue: Queue;
  let serial = 0;

  beforeAll(() => {
    queue = new Queue('fair-test', { connection: { url: testServices.redisUrl() }, prefix });
  });

  afterEach(async () => {
    await queue.obliterate({ force: true });
    await queue.getBackend().client.then((client) => client.del(queue.toKey('fair:lanes')));
    await queue.getBackend().client.then((client) => client.del(queue.toKey('fair:state')));
  });

  afterAll(async () => {
    await queue.close();
    await deleteRedisKeys(prefix);
  });

  // Adds the jobs the way ExecutionProducer does: one assignment, one addBulk.
  async function add(
    tenantId: string,
    count: number,
    options: Partial<FairJobRequest> = {},
    maxAttempts = 1,
  ) {
    const requests = Array.from({ length: count }, () => ({
      jobId: `${tenantId}-${(serial += 1)}`,
      tenantId,
      priority: 5,
      delayed: false,
      repeat: false,
      ...options,
    }));
    const priorities = await assignFairPriorities(queue, requests);
    await queue.addBulk(
      requests.map((request, i) =>
        executionJob({
          executionId: request.jobId,
          tenantId,
          priority: request.priority,
          delayMs: request.delayed ? 60_000 : 0,
          maxAttempts,
          queuePriority: priorities[i],
        }),
      ),
    );
    return requests.map((request) => request.jobId);
  }

  // The order BullMQ would hand the waiting jobs out in.
  async function dispatchOrder(): Promise<string[]> {
    const jobs = await queue.getJobs(['prioritized'], 0, -1, true);
    return jobs.map((job) => job.id!);
  }

  it("puts a late tenant's first jobs ahead of a flooding tenant's backlog", async () => {
    const flood = await add('a', 200);
    const few = await add('b', 3);
    const order = await dispatchOrder();
    // b's k-th job goes right after a's k-th: one round each
    expect(order.slice(0, 6)).toEqual([flood[0], few[0], flood[1], few[1], flood[2], few[2]]);
    expect(order.slice(6)).toEqual(flood.slice(3));
  });

  it('keeps API priority inside a tenant, whatever the order of submission', async () => {
    const submitted = [1, 5, 10, 3, 8, 2, 9, 4, 7, 6, 10, 1];
    const ids: string[] = [];
    for (const priority of submitted) ids.push(...(await add('a', 1, { priority })));
    const byId = new Map(ids.map((id, i) => [id, submitted[i]]));
    const order = (await dispatchOrder()).map((id) => byId.get(id));
    expect(order).toEqual([...submitted].sort((x, y) => y - x));
  });

  it("lets an urgent job overtake its own tenant's backlog", async () => {
    await add('a', 500);
    const [urgent] = await add('a', 1, { priority: 10 });
    expect((await dispatchOrder())[0]).toBe(urgent);
  });

  it('gives delayed jobs and repeats of existing jobs no place in line', async () => {
    await add('a', 3, { delayed: true });
    const [existing] = await add('a', 1);
    await assignFairPriorities(queue, [
      { jobId: existing, tenantId: 'a', priority: 5, delayed: false, repeat: true },
    ]);
    const [next] = await add('a', 1);
    expect(await tenantBacklogs(queue)).toEqual(new Map([['a', 2]]));
    expect(await dispatchOrder()).toEqual([existing, next]);
  });

  it('retries a job at its own place in line, not behind the backlog that built up since', async () => {
    const [flaky] = await add('b', 1, {}, 2);
    const backlog = await add('a', 30);
    const runs: string[] = [];
    const worker = new Worker(
      queue.name,
      async (job: Job) => {
        runs.push(job.id!);
        if (job.id === flaky && job.attemptsMade === 0) throw new Error('transient');
        await new Promise((resolve) => setTimeout(resolve, 50));
      },
      {
        connection: { url: testServices.redisUrl() },
        prefix,
        concurrency: 1,
        // the executions' own backoff, shortened
        settings: { backoffStrategy: () => 200 },
      },
    );
    await new Promise<void>((resolve) => worker.on('drained', resolve));
    await worker.close();
    expect(runs.filter((id) => id === flaky)).toHaveLength(2);
    // the retry came due ~200 ms in and went ahead of the rest of a's backlog
    expect(runs.lastIndexOf(flaky)).toBeLessThan(runs.indexOf(backlog[backlog.length - 10]));
  });

  it('rebases the tags before they reach BullMQ’s priority limit, keeping the order', async () => {
    const client = await queue.getBackend().client;
    await client.hset(queue.toKey('fair:state'), { v: 131_000, max: 131_000 });
    await add('a', 100);
    await add('b', 1);
    const [delayed] = await add('c', 1, { delayed: true });
    // the first 80 in line (b's and 79 of a's) start: the virtual time passes the rebase point
    const started = (await dispatchOrder()).slice(0, 80);
    for (const id of started) await queue.remove(id);
    const remaining = await dispatchOrder();
    const [late] = await add('b', 1);
    expect(await dispatchOrder()).toEqual([remaining[0], late, ...remaining.slice(1)]);
    const waiting = await queue.getJobs(['prioritized'], 0, -1, true);
    expect(Math.max(...waiting.map((job) => job.priority))).toBeLessThan(10_000);
    const [delayedJob] = await queue.getJobs(['delayed']);
    expect(delayedJob.id).toBe(delayed);
    expect(delayedJob.priority).toBeLessThan(10_000);
    expect(await tenantBacklogs(queue)).toEqual(
      new Map([
        ['a', 21],
        ['b', 1],
      ]),
    );
  });
});
