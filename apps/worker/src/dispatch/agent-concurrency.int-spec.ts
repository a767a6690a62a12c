import { randomUUID } from 'node:crypto';
import { AppConfig } from '@agentq/config';
import {
  ExecutionJobData,
  ExecutionJobResult,
  JobQueue,
  QUEUES,
  RUN_EXECUTION_JOB,
} from '@agentq/jobs';
import { RedisConnections } from '@agentq/redis';
import { createTestQueuePrefix, deleteRedisKeys, testAppConfig } from '@agentq/testing';
import { Job, Queue, Worker } from 'bullmq';
import { AgentConcurrency, SlotOwner } from './agent-concurrency.service';

// Leases last LEASE_LOCK_DURATIONS locks: 4 × 250 ms.
const LOCK_DURATION_MS = 250;
const LEASE_TTL_MS = 1_000;

// The slot accounting against the real Redis and BullMQ: hand-over, races, expiry.
describe('AgentConcurrency', () => {
  let config: AppConfig;
  let connections: RedisConnections;
  let queue: JobQueue<typeof RUN_EXECUTION_JOB>;
  let worker: Worker<ExecutionJobData, ExecutionJobResult>;
  let slots: AgentConcurrency;

  beforeAll(async () => {
    config = testAppConfig('postgres://unused', createTestQueuePrefix(), {
      WORKER_LOCK_DURATION_MS: String(LOCK_DURATION_MS),
    });
    connections = new RedisConnections(config, 'worker');
    const prefix = connections.queuePrefix(QUEUES.executions);
    queue = new Queue(QUEUES.executions, { connection: connections.queues, prefix }) as JobQueue<
      typeof RUN_EXECUTION_JOB
    >;
    // No processor: the test takes jobs itself, as the processor would.
    worker = new Worker(QUEUES.executions, null, {
      connection: connections.queues,
      prefix,
      autorun: false,
    });
    slots = new AgentConcurrency(connections, config, queue);
  });

  afterAll(async () => {
    await worker.close();
    await queue.close();
    await connections.onApplicationShutdown();
    await deleteRedisKeys(config.redis.prefix);
  });

  const ownerFor = (agentId: string, executionId = randomUUID()): SlotOwner => ({
    agentId,
    executionId,
    attempt: randomUUID(),
    limit: 1,
    priority: 5,
  });
  const acquired = async (owner: SlotOwner) => (await slots.acquire(owner)).acquired;
  const enqueue = (owner: SlotOwner) =>
    queue.add(
      'run-execution',
      { executionId: owner.executionId, tenantId: randomUUID() },
      {
        jobId: owner.executionId,
      },
    );
  // Takes the next job as a worker would, leaving it active.
  const takeActive = async () => {
    const token = randomUUID();
    const job = (await worker.getNextJob(token)) as Job<ExecutionJobData, ExecutionJobResult>;
    return { job, token };
  };
  const park = async (owner: SlotOwner) => {
    const { job, token } = await takeActive();
    expect(job.id).toBe(owner.executionId);
    expect(await acquired(owner)).toBe(false);
    return { job, token };
  };

  it('hands a freed slot to the parked execution and wakes its job', async () => {
    const agentId = randomUUID();
    const holder = ownerFor(agentId);
    const parked = ownerFor(agentId);
    expect(await acquired(holder)).toBe(true);
    await enqueue(parked);
    const { job, token } = await park(parked);
    await job.moveToDelayed(Date.now() + 60_000, token);
    await slots.recheckParked(parked);
    expect(await queue.getJobState(parked.executionId)).toBe('delayed');

    await slots.release(holder);
    expect(await queue.getJobState(parked.executionId)).toBe('waiting');
    // It wakes owning the slot: a newcomer cannot take it first.
    expect(await acquired(ownerFor(agentId))).toBe(false);
    expect(await acquired(parked)).toBe(true);
    await takeActive();
  });

  it('closes the lost wake-up: a slot freed before the parked job reached the delayed set', async () => {
    const agentId = randomUUID();
    const holder = ownerFor(agentId);
    const parked = ownerFor(agentId);
    expect(await acquired(holder)).toBe(true);
    await enqueue(parked);
    const { job, token } = await park(parked);
    // The slot is handed over while the job is still active: promoting it fails.
    await slots.release(holder);
    expect(await queue.getJobState(parked.executionId)).toBe('active');
    await job.moveToDelayed(Date.now() + 60_000, token);
    await slots.recheckParked(parked);
    expect(await queue.getJobState(parked.executionId)).toBe('waiting');
    expect(await acquired(parked)).toBe(true);
    await takeActive();
  });

  it('passes the slot of a parked execution whose job is gone to the next in line', async () => {
    const agentId = randomUUID();
    const holder = ownerFor(agentId);
    const cancelled = ownerFor(agentId);
    const next = ownerFor(agentId);
    expect(await acquired(holder)).toBe(true);
    for (const owner of [cancelled, next]) {
      await enqueue(owner);
      const { job, token } = await park(owner);
      await job.moveToDelayed(Date.now() + 60_000, token);
    }
    await queue.remove(cancelled.executionId);

    await slots.release(holder);
    expect(await queue.getJobState(next.executionId)).toBe('waiting');
    expect(await acquired(next)).toBe(true);
    await takeActive();
  });

  it('frees the slot of a worker that stopped renewing it (killed) after the lease time', async () => {
    const agentId = randomUUID();
    const killed = ownerFor(agentId);
    expect(await acquired(killed)).toBe(true);
    expect(await acquired(ownerFor(agentId))).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, LEASE_TTL_MS + 100));
    expect(await acquired(ownerFor(agentId))).toBe(true);
  });

  it('keeps a renewed slot past the lease time', async () => {
    const agentId = randomUUID();
    const running = ownerFor(agentId);
    expect(await acquired(running)).toBe(true);
    for (let i = 0; i < 3; i += 1) {
      await new Promise((resolve) => setTimeout(resolve, LEASE_TTL_MS / 2));
      expect(await slots.renew(running)).toBe(true);
    }
    expect(await acquired(ownerFor(agentId))).toBe(false);
  });

  it('gives a parked execution the time until the first lease ends', async () => {
    const agentId = randomUUID();
    expect(await acquired(ownerFor(agentId))).toBe(true);
    const grant = await slots.acquire(ownerFor(agentId));
    expect(grant.acquired).toBe(false);
    expect(grant.acquired === false && grant.awaitedLeaseEndsInMs).toBeGreaterThan(
      LEASE_TTL_MS / 2,
    );
  });

  it('lets a duplicate attempt of the same execution neither share nor free the slot', async () => {
    const agentId = randomUUID();
    const stalled = ownerFor(agentId);
    const duplicate = { ...stalled, attempt: randomUUID() };
    expect(await acquired(stalled)).toBe(true);
    expect(await acquired(duplicate)).toBe(false);
    await slots.release(duplicate);
    expect(await acquired(ownerFor(agentId))).toBe(false);
    await slots.release(stalled);
    expect(await acquired(duplicate)).toBe(true);
  });

  it('makes a duplicate attempt wait for the live one of its execution, even with a slot free', async () => {
    const agentId = randomUUID();
    const stalled = { ...ownerFor(agentId), limit: 2 };
    const duplicate = { ...stalled, attempt: randomUUID() };
    expect(await acquired(stalled)).toBe(true);
    const grant = await slots.acquire(duplicate);
    expect(grant.acquired === false && grant.awaitedLeaseEndsInMs).toBeGreaterThan(0);
    expect(await acquired({ ...ownerFor(agentId), limit: 2 })).toBe(true);
    await slots.release(stalled);
    expect(await acquired({ ...duplicate, limit: 3 })).toBe(true);
  });

  it('does not restore a lease that expired or that Redis lost', async () => {
    const agentId = randomUUID();
    const stalled = ownerFor(agentId);
    expect(await acquired(stalled)).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, LEASE_TTL_MS + 100));
    expect(await slots.renew(stalled)).toBe(false);

    const wiped = ownerFor(agentId);
    expect(await acquired(wiped)).toBe(true);
    await connections.queues.del(`${connections.prefix}:dispatch:{agent:${agentId}}:slots`);
    expect(await slots.renew(wiped)).toBe(false);
    expect(await acquired(ownerFor(agentId))).toBe(true);
  });
});
