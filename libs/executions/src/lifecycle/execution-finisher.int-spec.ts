import { createDataSource } from '@agentq/database';
import { JobQueue, QUEUES, RUN_EXECUTION_JOB } from '@agentq/jobs';
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
import { ExecutionAborter } from './execution-aborter.service';
import { ExecutionEventPublisher } from '../streams/execution-event-publisher.service';
import { ExecutionFinisher } from './execution-finisher.service';
import { ExecutionFollowUps } from '../follow-ups/execution-follow-ups.service';
import { ExecutionProducer } from './execution-producer.service';
import { ExecutionStream } from '../streams/execution-stream';
import { LifecycleAnnouncer } from '../streams/lifecycle-announcer.service';
import { TerminalOutcome } from '../store/terminal-outcome';

// The group commit against real PostgreSQL: one outcome the database refuses, in a full batch.
describe('ExecutionFinisher with a poison outcome', () => {
  let database: TestDatabase;
  let dataSource: DataSource;
  let app: DataSource;
  let queue: Queue;
  let redis: Redis;
  let prefix: string;
  let finisher: ExecutionFinisher;
  let tenantId: string;
  let executionIds: string[];

  beforeAll(async () => {
    database = await createTestDatabase();
    prefix = createTestQueuePrefix();
    const config = testAppConfig(database.url, prefix);
    dataSource = createDataSource({ url: database.url, poolSize: 2 });
    app = createDataSource({ url: database.url, poolSize: 4, role: 'agentq_app' });
    await Promise.all([dataSource.initialize(), app.initialize()]);
    queue = new Queue(QUEUES.executions, { connection: { url: config.redis.url }, prefix });
    redis = new Redis(config.redis.url);
    const events = { publish: () => undefined } as unknown as ExecutionEventPublisher;
    const connections = { commands: redis, prefix } as unknown as RedisConnections;
    const announcer = new LifecycleAnnouncer(events, new ExecutionStream(connections));
    const producer = new ExecutionProducer(queue as JobQueue<typeof RUN_EXECUTION_JOB>, announcer);
    finisher = new ExecutionFinisher(
      app,
      new ExecutionFollowUps(app, config, producer),
      new ExecutionAborter(connections, producer, announcer),
      announcer,
    );
    const seeded = await seedEchoAgent(dataSource);
    tenantId = seeded.tenantId;
    const { agentId } = seeded;
    const rows: { id: string }[] = await dataSource.query(
      `INSERT INTO agent_executions (tenant_id, agent_id, input, status, attempts, started_at)
       SELECT $1, $2, '{"message":"hi"}', 'running', 1, now() FROM generate_series(1, 500)
       RETURNING id`,
      [tenantId, agentId],
    );
    executionIds = rows.map((row) => row.id);
  });

  afterAll(async () => {
    await queue.close();
    redis.disconnect();
    await Promise.all([dataSource.destroy(), app.destroy()]);
    await database.drop();
    await deleteRedisKeys(prefix);
  });

  const succeeded = (executionId: string, text: string): TerminalOutcome => ({
    executionId,
    tenantId,
    status: 'succeeded',
    output: { text, finishReason: 'stop', model: 'm' },
    error: null,
    model: 'm',
    promptTokens: 10,
    completionTokens: 5,
    costUsd: '0.000001000',
    durationMs: 20,
    hasFollowUpFlags: false,
  });

  it('only the outcome PostgreSQL refuses fails, as a clean failed execution with its usage', async () => {
    const poison = executionIds[250];
    // jsonb cannot hold U+0000: the statement carrying it fails as a whole.
    const settled = await Promise.allSettled(
      executionIds.map((id) => finisher.record(succeeded(id, id === poison ? 'a\u0000b' : 'ok'))),
    );
    expect(settled.filter((result) => result.status === 'rejected')).toHaveLength(0);
    const statuses: { status: string; n: number }[] = await dataSource.query(
      `SELECT status, count(*)::int AS n FROM agent_executions GROUP BY status ORDER BY status`,
    );
    expect(statuses).toEqual([
      { status: 'failed', n: 1 },
      { status: 'succeeded', n: 499 },
    ]);
    const [row] = await dataSource.query(
      `SELECT status, output, error, prompt_tokens, completion_tokens, cost_usd
         FROM agent_executions WHERE id = $1`,
      [poison],
    );
    expect(row).toMatchObject({
      status: 'failed',
      output: null,
      error: { code: 'output_not_storable' },
      prompt_tokens: 10,
      completion_tokens: 5,
      cost_usd: '0.000001000',
    });
    expect(await findAccountingDrift(dataSource)).toEqual({
      lifetime: [],
      daily: [],
      attribution: [],
    });
  });
});
