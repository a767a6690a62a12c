import { AppConfig } from '@agentq/config';
import { createDataSource } from '@agentq/database';
import {
  ExecutionAborter,
  ExecutionEventPublisher,
  ExecutionProducer,
  ExecutionRecovery,
  ExecutionStream,
  LifecycleAnnouncer,
} from '@agentq/executions';
import { ExecutionEvent, executionJob, JobQueue, QUEUES, RUN_EXECUTION_JOB } from '@agentq/jobs';
import {
  createTestDatabase,
  createTestQueuePrefix,
  deleteRedisKeys,
  findAccountingDrift,
  seedEchoAgent,
  testAppConfig,
  TestDatabase,
} from '@agentq/testing';
import { RedisConnections } from '@agentq/redis';
import { Queue } from 'bullmq';
import Redis from 'ioredis';
import { DataSource } from 'typeorm';
import { ExecutionReconciler } from '../apps/worker/src/maintenance/execution-reconciler.service';
import { ReconcilerMetrics } from '../apps/worker/src/maintenance/reconciler-metrics';

type Row = { status: string; attempts: number; error: { code: string } | null };

// The reconciler's decisions against real PostgreSQL and Redis, with no worker running.
describe('ExecutionReconciler', () => {
  let database: TestDatabase;
  let dataSource: DataSource;
  let queue: Queue;
  let redis: Redis;
  let config: AppConfig;
  let reconciler: ExecutionReconciler;
  let published: ExecutionEvent[];
  let tenantId: string;
  let agentId: string;

  beforeAll(async () => {
    database = await createTestDatabase();
    config = testAppConfig(database.url, createTestQueuePrefix(), {
      RECONCILER_QUEUED_GRACE_MS: '1000',
      RECONCILER_RUNNING_MARGIN_MS: '1000',
      EXECUTION_DEFAULT_TIMEOUT_MS: '5000',
    });
    dataSource = createDataSource({ url: database.url, poolSize: 2 });
    await dataSource.initialize();
    queue = new Queue(QUEUES.executions, {
      connection: { url: config.redis.url },
      prefix: config.redis.prefix,
    });
    redis = new Redis(config.redis.url);
    published = [];
    const events = { publish: (batch: ExecutionEvent[]) => published.push(...batch) };
    const publisher = events as unknown as ExecutionEventPublisher;
    const connections = { commands: redis, prefix: config.redis.prefix };
    const announcer = new LifecycleAnnouncer(
      publisher,
      new ExecutionStream(connections as unknown as RedisConnections),
    );
    const executions = queue as JobQueue<typeof RUN_EXECUTION_JOB>;
    const producer = new ExecutionProducer(executions, announcer);
    const aborter = new ExecutionAborter(
      connections as unknown as RedisConnections,
      producer,
      announcer,
    );
    reconciler = new ExecutionReconciler(
      executions,
      config,
      new ExecutionRecovery(dataSource, announcer, aborter, producer),
      new ReconcilerMetrics(),
    );
    ({ tenantId, agentId } = await seedEchoAgent(dataSource, 'echo-1'));
  });

  afterAll(async () => {
    await queue.close();
    redis.disconnect();
    await dataSource.destroy();
    await database.drop();
    await deleteRedisKeys(config.redis.prefix);
  });

  // An execution row as a crash would leave it, `ageMs` old.
  async function insertExecution(fields: {
    status: 'queued' | 'running';
    ageMs: number;
    attempts?: number;
    maxAttempts?: number;
    timeoutMs?: number;
    priority?: number;
  }): Promise<string> {
    const [{ id }] = await dataSource.query(
      `INSERT INTO agent_executions (tenant_id, agent_id, input, status, attempts, max_attempts,
                                     timeout_ms, priority, queued_at, started_at)
       VALUES ($1, $2, '{"message":"hi"}', $3, $4, $5, $6, $7,
               now() - make_interval(secs => $8::double precision / 1000),
               CASE WHEN $3 = 'running' THEN now() - make_interval(secs => $8::double precision / 1000) END)
       RETURNING id`,
      [
        tenantId,
        agentId,
        fields.status,
        fields.attempts ?? (fields.status === 'running' ? 1 : 0),
        fields.maxAttempts ?? 3,
        fields.timeoutMs ?? null,
        fields.priority ?? 5,
        fields.ageMs,
      ],
    );
    return id;
  }

  const row = async (id: string): Promise<Row> =>
    (
      await dataSource.query(`SELECT status, attempts, error FROM agent_executions WHERE id = $1`, [
        id,
      ])
    )[0];

  it('enqueues a queued execution whose job never reached Redis, with its priority and attempts', async () => {
    const id = await insertExecution({ status: 'queued', ageMs: 5_000, priority: 9 });
    const result = await reconciler.reconcile();
    expect(result.requeued).toBeGreaterThanOrEqual(1);
    const job = await queue.getJob(id);
    expect(job?.opts).toMatchObject({ jobId: id, attempts: 3 });
    // a place in its tenant's fair line, the API priority in the last digit (docs/fairness.md)
    expect((job!.priority - 1) % 10).toBe(10 - 9);
    expect(await job?.getState()).toBe('prioritized');
    await job?.remove();
  });

  it('leaves a fresh queued execution and one whose job is waiting alone', async () => {
    const fresh = await insertExecution({ status: 'queued', ageMs: 0 });
    const waiting = await insertExecution({ status: 'queued', ageMs: 5_000 });
    const { name, data, opts } = executionJob({
      executionId: waiting,
      tenantId,
      priority: 5,
      delayMs: 0,
      maxAttempts: 3,
    });
    await queue.add(name, data, opts);
    await reconciler.reconcile();
    expect(await queue.getJob(fresh)).toBeUndefined();
    expect(await queue.getJobState(waiting)).toBe('prioritized');
    await queue.remove(waiting);
  });

  it('replaces a finished job (add would be a no-op) for an execution still queued', async () => {
    const id = await insertExecution({ status: 'queued', ageMs: 5_000, attempts: 2 });
    const { name, data, opts } = executionJob({
      executionId: id,
      tenantId,
      priority: 5,
      delayMs: 0,
      maxAttempts: 3,
    });
    await queue.add(name, data, opts);
    // As BullMQ leaves a job that stalled too often: in the failed set.
    await redis.zrem(queue.keys.prioritized, id);
    await redis.zadd(queue.keys.failed, Date.now(), id);
    await reconciler.reconcile();
    const job = await queue.getJob(id);
    expect(await job?.getState()).toBe('prioritized');
    // One attempt left on the row, so one attempt on the job.
    expect(job?.opts.attempts).toBe(1);
    await job?.remove();
  });

  it('revisits older queued rows while newer ones keep passing the grace period', async () => {
    const addJob = async (executionId: string) => {
      const { name, data, opts } = executionJob({
        executionId,
        tenantId,
        priority: 5,
        delayMs: 0,
        maxAttempts: 3,
      });
      await queue.add(name, data, opts);
    };
    const lost = await insertExecution({ status: 'queued', ageMs: 60_000 });
    await addJob(lost);
    const traffic: string[] = [];
    const arrive = async () => {
      const id = await insertExecution({ status: 'queued', ageMs: 2_000 });
      await addJob(id);
      traffic.push(id);
      await reconciler.reconcile();
    };
    await arrive();
    // Redis loses the older job while submissions keep coming: every pass sees a newer row.
    await queue.remove(lost);
    for (let pass = 0; pass < 3; pass += 1) await arrive();
    expect(await queue.getJobState(lost)).toBe('prioritized');
    for (const id of [lost, ...traffic]) await queue.remove(id);
  });

  it('retries an abandoned running execution with attempts left, and fails one without', async () => {
    const retry = await insertExecution({ status: 'running', ageMs: 10_000, attempts: 1 });
    const exhausted = await insertExecution({
      status: 'running',
      ageMs: 10_000,
      attempts: 3,
      maxAttempts: 3,
    });
    const notYet = await insertExecution({
      status: 'running',
      ageMs: 10_000,
      timeoutMs: 60_000,
    });
    published.length = 0;
    const result = await reconciler.reconcile();
    expect(result).toMatchObject({ retried: 1, failed: 1 });

    expect(await row(retry)).toMatchObject({ status: 'queued', error: { code: 'worker_lost' } });
    expect(await queue.getJobState(retry)).toBe('prioritized');
    expect(await row(exhausted)).toMatchObject({
      status: 'failed',
      error: { code: 'worker_lost' },
    });
    expect(await row(notYet)).toMatchObject({ status: 'running' });
    expect(published.map((event) => [event.executionId, event.type])).toEqual(
      expect.arrayContaining([
        [retry, 'retrying'],
        [exhausted, 'failed'],
      ]),
    );
    expect(await findAccountingDrift(dataSource)).toEqual({
      lifetime: [],
      daily: [],
      attribution: [],
    });
    await queue.remove(retry);
  });

  it('never touches a running execution whose job a worker still locks', async () => {
    const id = await insertExecution({ status: 'running', ageMs: 10_000 });
    const { name, data, opts } = executionJob({
      executionId: id,
      tenantId,
      priority: 5,
      delayMs: 0,
      maxAttempts: 3,
    });
    await queue.add(name, data, opts);
    await redis.set(`${queue.toKey(id)}:lock`, 'some-worker-token', 'PX', 30_000);
    await reconciler.reconcile();
    expect(await row(id)).toMatchObject({ status: 'running', attempts: 1 });
    await redis.del(`${queue.toKey(id)}:lock`);
    await queue.remove(id);
  });
});
