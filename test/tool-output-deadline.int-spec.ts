import { AppConfig } from '@agentq/config';
import { createDataSource } from '@agentq/database';
import {
  ExecutionAborter,
  ExecutionActions,
  ExecutionEventPublisher,
  ExecutionProducer,
  ExecutionRecovery,
  ExecutionSteps,
  ExecutionStream,
  LifecycleAnnouncer,
} from '@agentq/executions';
import { ExecutionEvent, JobQueue, QUEUES, RUN_EXECUTION_JOB } from '@agentq/jobs';
import { RedisConnections } from '@agentq/redis';
import {
  createTestDatabase,
  createTestQueuePrefix,
  deleteRedisKeys,
  findAccountingDrift,
  seedEchoAgent,
  testAppConfig,
  TestDatabase,
} from '@agentq/testing';
import { Queue } from 'bullmq';
import Redis from 'ioredis';
import { DataSource } from 'typeorm';
import { ExecutionReconciler } from '../apps/worker/src/maintenance/execution-reconciler.service';
import { ReconcilerMetrics } from '../apps/worker/src/maintenance/reconciler-metrics';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// Client tool outputs against the action deadline and a failing enqueue, with the interleavings
// forced by a held row lock: real PostgreSQL, Redis and BullMQ, no worker.
describe('client tool outputs: deadline races and a failed enqueue', () => {
  let database: TestDatabase;
  let owner: DataSource;
  let app: DataSource;
  let queue: Queue;
  let redis: Redis;
  let config: AppConfig;
  let announcer: LifecycleAnnouncer;
  let streams: ExecutionStream;
  let producer: ExecutionProducer;
  let actions: ExecutionActions;
  let reconciler: ExecutionReconciler;
  let tenantId: string;
  let agentId: string;

  beforeAll(async () => {
    database = await createTestDatabase();
    config = testAppConfig(database.url, createTestQueuePrefix());
    owner = createDataSource({ url: database.url, poolSize: 4 });
    app = createDataSource({ url: database.url, poolSize: 4, role: 'agentq_app' });
    await Promise.all([owner.initialize(), app.initialize()]);
    queue = new Queue(QUEUES.executions, {
      connection: { url: config.redis.url },
      prefix: config.redis.prefix,
    });
    redis = new Redis(config.redis.url);
    const events = { publish: (_batch: ExecutionEvent[]) => undefined };
    const publisher = events as unknown as ExecutionEventPublisher;
    const connections = { commands: redis, prefix: config.redis.prefix };
    streams = new ExecutionStream(connections as unknown as RedisConnections);
    announcer = new LifecycleAnnouncer(publisher, streams);
    producer = new ExecutionProducer(queue as JobQueue<typeof RUN_EXECUTION_JOB>, announcer);
    actions = new ExecutionActions(app, producer, announcer);
    const aborter = new ExecutionAborter(
      connections as unknown as RedisConnections,
      producer,
      announcer,
    );
    reconciler = new ExecutionReconciler(
      queue as JobQueue<typeof RUN_EXECUTION_JOB>,
      config,
      new ExecutionRecovery(owner, announcer, aborter, producer),
      new ReconcilerMetrics(),
    );
    ({ tenantId, agentId } = await seedEchoAgent(owner));
  });

  afterAll(async () => {
    await queue.close();
    redis.disconnect();
    await Promise.all([owner.destroy(), app.destroy()]);
    await database.drop();
    await deleteRedisKeys(config.redis.prefix);
  });

  // A tool loop paused on one client tool call, waiting `actionTimeoutMs`.
  async function pausedExecution(actionTimeoutMs: number): Promise<string> {
    const [{ id }] = await owner.query(
      `INSERT INTO agent_executions (tenant_id, agent_id, input, status, attempts, started_at)
       VALUES ($1, $2, '{"message":"hi"}', 'running', 1, now()) RETURNING id`,
      [tenantId, agentId],
    );
    const toolCalls = [{ id: `call-${id}`, name: 'ask_client', arguments: {} }];
    const attempt = { id, tenantId, agentId, stream: false, attempts: 1 };
    await new ExecutionSteps(app, streams).recordModelStep(attempt, {
      index: 0,
      name: 'm',
      result: '',
      toolCalls,
      finishReason: 'tool_calls',
      promptTokens: 10,
      completionTokens: 1,
      costUsd: '0.000010000',
      attempt: 1,
      durationMs: 5,
      error: null,
      startedAt: new Date(),
    });
    expect(await actions.pause(attempt, toolCalls, actionTimeoutMs)).not.toBeNull();
    return id;
  }

  const statusOf = async (id: string) =>
    (await owner.query(`SELECT status, error FROM agent_executions WHERE id = $1`, [id]))[0] as {
      status: string;
      error: { code: string } | null;
    };

  // Waits until some session waits for a lock (a statement blocked behind the held one).
  async function untilBlockedOnLock(sessions: number) {
    for (let i = 0; i < 200; i += 1) {
      const [{ waiting }] = await owner.query(
        `SELECT count(*)::int AS waiting FROM pg_stat_activity
          WHERE datname = current_database() AND wait_event_type = 'Lock'`,
      );
      if (waiting >= sessions) return;
      await sleep(25);
    }
    throw new Error(`fewer than ${sessions} session(s) blocked on a lock`);
  }

  it('outputs that came before the deadline win over the expiry that read the row meanwhile', async () => {
    const id = await pausedExecution(1_500);
    // A held row lock makes the outputs' transaction start before the deadline and wait...
    const holder = owner.createQueryRunner();
    await holder.connect();
    await holder.startTransaction();
    await holder.query(`SELECT 1 FROM agent_executions WHERE id = $1 FOR UPDATE`, [id]);
    const posted = actions.submitToolOutputs(tenantId, id, [
      { toolCallId: `call-${id}`, output: 'sunny' },
    ]);
    await untilBlockedOnLock(1);
    // ...while the deadline passes and the reconciler reads the row as expired, behind it.
    await sleep(1_700);
    const reconciled = reconciler.reconcile();
    await untilBlockedOnLock(2);
    await holder.commitTransaction();
    await holder.release();

    expect(await posted).toEqual({ kind: 'resumed' });
    const { actionTimeouts } = await reconciled;
    expect(actionTimeouts).toBe(0);
    expect(await statusOf(id)).toEqual({ status: 'queued', error: null });
    expect(await findAccountingDrift(owner)).toEqual({ lifetime: [], daily: [], attribution: [] });
    await queue.remove(id);
  });

  it('answers a committed resume whose enqueue failed as resumed, and its retry likewise', async () => {
    const id = await pausedExecution(60_000);
    const outputs = [{ toolCallId: `call-${id}`, output: 'sunny' }];
    // Its queue's connection closed for this one: the resume commits, its enqueue fails.
    const cutQueue = new Queue(QUEUES.executions, {
      connection: { url: config.redis.url },
      prefix: config.redis.prefix,
    });
    await cutQueue.waitUntilReady();
    await cutQueue.disconnect();
    const cutProducer = new ExecutionProducer(
      cutQueue as JobQueue<typeof RUN_EXECUTION_JOB>,
      announcer,
    );
    const cut = new ExecutionActions(app, cutProducer, announcer);
    await expect(cut.submitToolOutputs(tenantId, id, outputs)).resolves.toEqual({
      kind: 'resumed',
    });
    await cutQueue.close();
    expect((await statusOf(id)).status).toBe('queued');

    // The client's retry of the same outputs: the same answer, and the job is there now.
    await expect(actions.submitToolOutputs(tenantId, id, outputs)).resolves.toEqual({
      kind: 'resumed',
    });
    expect(await queue.getJobState(id)).not.toBe('unknown');
    // Other outputs for a call already answered are still refused.
    const other = await actions.submitToolOutputs(tenantId, id, [
      { toolCallId: `call-${id}`, output: 'rainy' },
    ]);
    expect(other).toMatchObject({ kind: 'conflict' });
    await queue.remove(id);
  }, 30_000);
});
