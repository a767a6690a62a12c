import { randomUUID } from 'node:crypto';
import { AppConfig } from '@agentq/config';
import { ClaimedExecution, ExecutionClaims } from '@agentq/executions';
import { JobQueue, QUEUES, RUN_EXECUTION_JOB } from '@agentq/jobs';
import { ChannelListener, RedisConnections } from '@agentq/redis';
import { createTestQueuePrefix, deleteRedisKeys, testAppConfig } from '@agentq/testing';
import { Queue } from 'bullmq';
import { Registry } from 'prom-client';
import { AgentConcurrency } from './agent-concurrency.service';
import { ConcurrencySlotLost } from './concurrency-slot-lost';
import { DispatchGate } from './dispatch-gate.service';
import { DispatchMetrics } from './dispatch-metrics.service';
import { ProviderPacing } from './provider-pacing.service';

// 250 ms locks: leases of 1 s, renewed every 83 ms.
const LOCK_DURATION_MS = 250;
const LEASE_TTL_MS = 1_000;

// A held slot's lease against the real Redis: what the attempt holding it is told.
describe('DispatchGate: an attempt and its slot lease', () => {
  let config: AppConfig;
  let connections: RedisConnections;
  let queue: JobQueue<typeof RUN_EXECUTION_JOB>;
  let gate: DispatchGate;

  beforeAll(async () => {
    config = testAppConfig('postgres://unused', createTestQueuePrefix(), {
      WORKER_LOCK_DURATION_MS: String(LOCK_DURATION_MS),
    });
    connections = new RedisConnections(config, 'worker');
    queue = new Queue(QUEUES.executions, {
      connection: connections.queues,
      prefix: connections.queuePrefix(QUEUES.executions),
    }) as JobQueue<typeof RUN_EXECUTION_JOB>;
    const metrics = new DispatchMetrics(new Registry());
    const pacing = new ProviderPacing(connections, metrics, new ChannelListener(connections));
    await pacing.onModuleInit();
    // Admission of a claimed attempt reads no limit from PostgreSQL: the claim loaded it.
    const unusedClaims = {} as ExecutionClaims;
    gate = new DispatchGate(
      unusedClaims,
      new AgentConcurrency(connections, config, queue),
      pacing,
      metrics,
    );
  });

  afterAll(async () => {
    await queue.close();
    await connections.onApplicationShutdown();
    await deleteRedisKeys(config.redis.prefix);
  });

  const admitted = async () => {
    const execution = {
      id: randomUUID(),
      agentId: randomUUID(),
      priority: 5,
      input: { message: 'hello' },
      agent: { role: 'r', backstory: null, goal: null, llmConfig: {}, maxConcurrency: 1 },
      provider: { id: randomUUID(), rateLimit: null },
    } as unknown as ClaimedExecution;
    const attempt = randomUUID();
    expect(await gate.admit(execution, attempt)).toBeNull();
    const controller = new AbortController();
    gate.bindSlot(attempt, controller);
    return { execution, attempt, controller };
  };
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  it('keeps a renewed slot: no abort, provider calls allowed', async () => {
    const { execution, attempt, controller } = await admitted();
    await sleep(LEASE_TTL_MS * 1.5);
    expect(() => gate.checkSlot(attempt)).not.toThrow();
    expect(controller.signal.aborted).toBe(false);
    await gate.finished(execution.id, attempt);
  });

  it('aborts the attempt at its next renewal once Redis lost its lease, and refuses its next call', async () => {
    const { execution, attempt, controller } = await admitted();
    await connections.queues.del(
      `${connections.prefix}:dispatch:{agent:${execution.agentId}}:slots`,
    );
    await sleep(LEASE_TTL_MS / 4);
    expect(controller.signal.reason).toBeInstanceOf(ConcurrencySlotLost);
    expect(() => gate.checkSlot(attempt)).toThrow(ConcurrencySlotLost);
    await gate.finished(execution.id, attempt);
  });

  it('refuses the next call after its event loop was blocked past the lease, before any renewal could run', async () => {
    const { execution, attempt, controller } = await admitted();
    const until = Date.now() + LEASE_TTL_MS + 100;
    while (Date.now() < until) {
      // Blocked: no timer, no renewal.
    }
    expect(() => gate.checkSlot(attempt)).toThrow(ConcurrencySlotLost);
    expect(controller.signal.reason).toBeInstanceOf(ConcurrencySlotLost);
    await gate.finished(execution.id, attempt);
  });
});
