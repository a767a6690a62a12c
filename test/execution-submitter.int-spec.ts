import { createDataSource } from '@agentq/database';
import {
  ExecutionClaims,
  ExecutionEventPublisher,
  ExecutionProducer,
  ExecutionSubmitter,
  LifecycleAnnouncer,
  NewExecution,
  recordTerminalOutcomes,
} from '@agentq/executions';
import { JobQueue, QUEUES, RUN_EXECUTION_JOB } from '@agentq/jobs';
import {
  createTestDatabase,
  createTestQueuePrefix,
  findAccountingDrift,
  seedEchoAgent,
  testAppConfig,
  TestDatabase,
} from '@agentq/testing';
import { Queue } from 'bullmq';
import Redis from 'ioredis';
import { DataSource } from 'typeorm';
import { PrivateRedis } from './faults/support/private-redis';
import { waitUntil } from './faults/support/fault-stack';

// Submissions whose enqueue times out against a Redis of the test's own that holds every write
// (CLIENT PAUSE) longer than the producer waits: the addBulk is not cancelled and lands late.
describe('ExecutionSubmitter when the enqueue times out but lands late', () => {
  let redis: PrivateRedis;
  let database: TestDatabase;
  let dataSource: DataSource;
  let app: DataSource;
  let queue: Queue;
  let control: Redis;
  let producer: ExecutionProducer;
  let announcer: LifecycleAnnouncer;
  let submitter: ExecutionSubmitter;
  let tenantId: string;
  let agentId: string;

  beforeAll(async () => {
    redis = new PrivateRedis();
    await redis.start();
    database = await createTestDatabase();
    const prefix = createTestQueuePrefix();
    const config = testAppConfig(database.url, prefix, { REDIS_URL: redis.url });
    dataSource = createDataSource({ url: database.url, poolSize: 2 });
    app = createDataSource({ url: database.url, poolSize: 4, role: 'agentq_app' });
    await Promise.all([dataSource.initialize(), app.initialize()]);
    queue = new Queue(QUEUES.executions, { connection: { url: redis.url }, prefix });
    control = new Redis(redis.url);
    const events = { publish: () => undefined } as unknown as ExecutionEventPublisher;
    announcer = new LifecycleAnnouncer(events, { forAttempt: () => undefined } as never);
    producer = new ExecutionProducer(queue as JobQueue<typeof RUN_EXECUTION_JOB>, announcer);
    submitter = new ExecutionSubmitter(app, producer, config);
    ({ tenantId, agentId } = await seedEchoAgent(dataSource));
  }, 60_000);

  afterAll(async () => {
    await control.client('UNPAUSE');
    control.disconnect();
    await queue.close();
    await Promise.all([dataSource.destroy(), app.destroy()]);
    await database.drop();
    await redis.stop();
  });

  const execution = (idempotencyKey: string | null): NewExecution => ({
    sessionId: null,
    priority: 5,
    input: { message: 'hi' },
    maxAttempts: 3,
    timeoutMs: null,
    runAt: null,
    idempotencyKey,
    handoffToAgentId: null,
    storeOutputAsMemory: false,
  });

  // Redis holds every write for longer than the producer's enqueue timeout (5 s).
  async function holdRedisWrites(): Promise<void> {
    await control.client('UNPAUSE');
    // The load-shedding gauge is read now, so the submission's own read is served from cache.
    await producer.waitingJobs(0);
    await control.client('PAUSE', 6_000, 'WRITE');
  }

  const rowsOf = async (ids: string[]) =>
    (await dataSource.query(`SELECT id, status FROM agent_executions WHERE id = ANY($1)`, [
      ids,
    ])) as { id: string; status: string }[];

  it('an idempotent repeat answered 2xx points at an execution that still exists', async () => {
    await holdRedisWrites();
    const submit = () =>
      submitter.submit({ tenantId, agentId, executions: [execution('key-late-1')] });
    const [first, repeat] = await Promise.allSettled([submit(), submit()]);
    const answered = [first, repeat].filter((result) => result.status === 'fulfilled');
    expect(answered.length).toBeGreaterThan(0);
    const ids = [...new Set(answered.map((result) => result.value[0].execution.id))];
    expect(await rowsOf(ids)).toEqual(ids.map((id) => ({ id, status: 'queued' })));
  }, 30_000);

  it('a row that a worker started before the cleanup is neither deleted nor left uncounted', async () => {
    await holdRedisWrites();
    const submitted = submitter.submit({ tenantId, agentId, executions: [execution(null)] });
    const settled = submitted.then(
      (value) => ({ value }),
      (error: unknown) => ({ error }),
    );
    // The late job is picked up and finished before the submitter gives up on the enqueue.
    let id = '';
    await waitUntil(
      async () => {
        const rows: { id: string }[] = await dataSource.query(
          `SELECT id FROM agent_executions WHERE idempotency_key IS NULL AND status = 'queued'`,
        );
        id = rows[0]?.id ?? '';
        return id !== '';
      },
      'the submission to commit its row',
      5_000,
      20,
    );
    const claimed = await new ExecutionClaims(app, announcer).claim(id, tenantId, 'worker-1');
    expect(claimed).not.toBeNull();
    await recordTerminalOutcomes(dataSource.manager, [
      {
        executionId: id,
        tenantId,
        status: 'succeeded',
        output: { text: 'ok', finishReason: 'stop', model: 'm' },
        error: null,
        model: 'm',
        promptTokens: 10,
        completionTokens: 5,
        costUsd: '0.000001000',
        durationMs: 10,
      },
    ]);
    const answer = await settled;
    expect(await rowsOf([id])).toEqual([{ id, status: 'succeeded' }]);
    expect(answer).toMatchObject({ value: [{ execution: { id } }] });
    expect(await findAccountingDrift(dataSource)).toEqual({
      lifetime: [],
      daily: [],
      attribution: [],
    });
  }, 30_000);
});
