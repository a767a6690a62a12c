import { queueKeyPrefix } from '@agentq/config';
import { QUEUES } from '@agentq/jobs';
import { findAccountingDrift } from '@agentq/testing';
import {
  LocalRedisCluster,
  LocalRedisSentinel,
  redisServerAvailable,
} from './support/local-redis-servers';
import { AgentSetup, setUpAgent, waitForTerminal } from './support/scenario';
import { startTestStack, TestStack } from './support/test-stack';

// The API and a worker on a 3-master Redis Cluster of the test's own: BullMQ's multi-key
// scripts work only if every key of a queue hashes to one slot, which each queue's hash tag
// (QUEUE_PREFIX's, extended by the queue name) guarantees, while the queues spread over slots
// and masters; pub/sub (lifecycle events, `wait`) crosses the cluster bus. Then the same
// through a Sentinel that names the master.
const available = redisServerAvailable();
if (!available) {
  process.stdout.write(
    'redis-cluster-sentinel.e2e-spec: SKIPPED — redis-server is not on PATH (apt-get install redis-server)\n',
  );
}

(available ? describe : describe.skip)('pipeline through a Redis Cluster', () => {
  const cluster = new LocalRedisCluster();
  // Fixed, not per run: the cluster is the test's own, and the queues' slots stay the same.
  const prefix = '{agentq-test}';
  let stack: TestStack;
  let setup: AgentSetup;

  beforeAll(async () => {
    await cluster.start(3);
    stack = await startTestStack({
      workers: 1,
      env: {
        REDIS_URL: undefined,
        REDIS_CLUSTER_NODES: cluster.addresses.join(','),
        QUEUE_PREFIX: prefix,
      },
    });
    setup = await setUpAgent(stack);
  }, 60_000);

  afterAll(async () => {
    await stack?.stop();
    await cluster.stop();
  }, 30_000);

  it('configures the processes for the cluster', () => {
    expect(stack.config.redis.transport).toMatchObject({ mode: 'cluster' });
    expect(stack.config.redis.prefix).toBe(prefix);
  });

  it('submits, executes and answers with the succeeded execution', async () => {
    const answer = await stack.http.post(
      `/v1/agents/${setup.agentId}/executions`,
      { input: { message: 'through the cluster' }, wait: 20 },
      setup.tenant.apiKey,
    );
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ status: 'succeeded', attempts: 1 });
    expect(answer.body.output.text).toContain('through the cluster');
  });

  it('runs a batch, a delayed job and a priority through it, each ending once', async () => {
    const batch = await stack.http.post(
      `/v1/agents/${setup.agentId}/executions/batch`,
      {
        executions: [
          ...Array.from({ length: 20 }, (_, i) => ({ input: { message: `batch ${i}` } })),
          { input: { message: 'later' }, delayMs: 500 },
          { input: { message: 'urgent' }, priority: 10 },
        ],
      },
      setup.tenant.apiKey,
    );
    expect(batch.status).toBe(202);
    const ids: string[] = batch.body.data.map((execution: { id: string }) => execution.id);
    const done = await Promise.all(
      ids.map((id) => waitForTerminal(stack, setup.tenant.apiKey, id, 30_000)),
    );
    expect(done.map((execution) => execution.status)).toEqual(ids.map(() => 'succeeded'));
    expect(await findAccountingDrift(stack.db)).toEqual({
      lifetime: [],
      daily: [],
      attribution: [],
    });
  });

  it('keeps each queue in a slot of its own, and the queues spread over the masters', async () => {
    const byNode = await cluster.keysByNode();
    const queueOf = (key: string) =>
      Object.values(QUEUES).find((queue) =>
        key.startsWith(`${queueKeyPrefix(stack.config.redis, queue)}:${queue}:`),
      );
    const keys = [...byNode.values()].flat().filter((key) => key.startsWith('{agentq-test'));
    expect(keys.filter((key) => !queueOf(key))).toEqual([]);

    const slots = await cluster.keySlots(keys);
    const slotsByQueue = new Map<string, Set<number>>();
    for (const [i, key] of keys.entries()) {
      const queue = queueOf(key)!;
      slotsByQueue.set(queue, (slotsByQueue.get(queue) ?? new Set()).add(slots[i]));
    }
    // Every queue (the processes have written to each by now), each whole in one slot ...
    expect([...slotsByQueue.keys()].sort()).toEqual(Object.values(QUEUES).sort());
    for (const queueSlots of slotsByQueue.values()) expect(queueSlots.size).toBe(1);
    // ... and no two queues in the same slot.
    const queueSlots = [...slotsByQueue.values()].map((one) => [...one][0]);
    expect(new Set(queueSlots).size).toBe(slotsByQueue.size);

    const masters = [...byNode.values()].filter((onNode) => onNode.some((key) => queueOf(key)));
    expect(masters.length).toBeGreaterThan(1);
  });
});

(available ? describe : describe.skip)('pipeline through Redis Sentinel', () => {
  const sentinel = new LocalRedisSentinel();
  let stack: TestStack;
  let setup: AgentSetup;

  beforeAll(async () => {
    await sentinel.start();
    stack = await startTestStack({
      workers: 1,
      env: {
        REDIS_URL: undefined,
        REDIS_SENTINELS: sentinel.sentinels,
        REDIS_SENTINEL_MASTER: sentinel.masterName,
      },
    });
    setup = await setUpAgent(stack);
  }, 60_000);

  afterAll(async () => {
    await stack?.stop();
    await sentinel.stop();
  }, 30_000);

  it('finds the master through Sentinel and runs an execution to success', async () => {
    expect(stack.config.redis.transport).toMatchObject({ mode: 'sentinel' });
    const answer = await stack.http.post(
      `/v1/agents/${setup.agentId}/executions`,
      { input: { message: 'through sentinel' }, wait: 20 },
      setup.tenant.apiKey,
    );
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ status: 'succeeded', attempts: 1 });
  });
});
