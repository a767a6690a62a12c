import { createDataSource } from '@agentq/database';
import { JobQueue, QUEUES, RUN_EXECUTION_JOB } from '@agentq/jobs';
import { RedisConnections } from '@agentq/redis';
import {
  createTestDatabase,
  createTestQueuePrefix,
  deleteRedisKeys,
  seedEchoAgent,
  testAppConfig,
  TestDatabase,
} from '@agentq/testing';
import { Queue } from 'bullmq';
import Redis from 'ioredis';
import { DataSource } from 'typeorm';
import { ExecutionAborter } from '../lifecycle/execution-aborter.service';
import { ExecutionFinisher } from '../lifecycle/execution-finisher.service';
import { ExecutionProducer } from '../lifecycle/execution-producer.service';
import { ExecutionEventPublisher } from '../streams/execution-event-publisher.service';
import { ExecutionStream } from '../streams/execution-stream';
import { LifecycleAnnouncer } from '../streams/lifecycle-announcer.service';
import { ExecutionFollowUps } from './execution-follow-ups.service';

// A handoff is a submission to its target agent, written in the parent's terminal transaction:
// the target's defaults (model, streaming, structured output, caps) like any execution of that
// agent, the parent's attribution, its depth and parent.
describe('a handoff execution, created through the submission statement', () => {
  let database: TestDatabase;
  let owner: DataSource;
  let app: DataSource;
  let queue: Queue;
  let redis: Redis;
  let prefix: string;
  let finisher: ExecutionFinisher;
  let tenantId: string;
  let writerId: string;
  let reviewerId: string;
  let sessionId: string;
  let apiKeyId: string;

  beforeAll(async () => {
    database = await createTestDatabase();
    prefix = createTestQueuePrefix();
    const config = testAppConfig(database.url, prefix);
    owner = createDataSource({ url: database.url, poolSize: 2 });
    app = createDataSource({ url: database.url, poolSize: 4, role: 'agentq_app' });
    await Promise.all([owner.initialize(), app.initialize()]);
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
    ({ tenantId, agentId: writerId } = await seedEchoAgent(owner, 'writer-model'));
    [{ id: reviewerId }] = await owner.query(
      `INSERT INTO agents (tenant_id, provider_id, name, role, llm_config, stream,
                           response_format, max_cost_usd, max_tokens)
       SELECT tenant_id, provider_id, 'reviewer', 'r', '{"model":"reviewer-model"}', true,
              '{"type":"json_object"}', 0.25, 4000
         FROM agents WHERE id = $1
       RETURNING id`,
      [writerId],
    );
    [{ id: sessionId }] = await owner.query(
      `INSERT INTO sessions (tenant_id, agent_id) VALUES ($1, $2) RETURNING id`,
      [tenantId, writerId],
    );
    [{ id: apiKeyId }] = await owner.query(
      `INSERT INTO api_keys (tenant_id, name, prefix, key_hash) VALUES ($1, 'k', 'p', 'h')
       RETURNING id`,
      [tenantId],
    );
  });

  afterAll(async () => {
    await queue.close();
    redis.disconnect();
    await Promise.all([owner.destroy(), app.destroy()]);
    await database.drop();
    await deleteRedisKeys(prefix);
  });

  it('takes the target agent defaults and caps, the parent attribution, depth and parent', async () => {
    const [{ id: parentId }] = await owner.query(
      `INSERT INTO agent_executions (tenant_id, agent_id, session_id, input, status, attempts,
                                     started_at, priority, max_attempts, timeout_ms, api_key_id,
                                     end_user, tags, metadata)
       VALUES ($1, $2, $3, '{"message":"draft"}', 'running', 1, now(), 7, 4, 60000, $4,
               'user-1', '{blue}', '{"team":"docs"}')
       RETURNING id`,
      [tenantId, writerId, sessionId, apiKeyId],
    );
    const text = `Draft.\nHANDOFF: {"agentId": "${reviewerId}", "message": "review this"}`;
    await finisher.record({
      executionId: parentId,
      tenantId,
      status: 'succeeded',
      output: { text, finishReason: 'stop', model: 'writer-model' },
      error: null,
      model: 'writer-model',
      promptTokens: 1,
      completionTokens: 1,
      costUsd: '0.000001000',
      durationMs: 5,
    });

    const children = await owner.query(
      `SELECT id, agent_id, session_id, status, input, priority, max_attempts, timeout_ms, model,
              handoff_depth, parent_execution_id, stream, response_format, max_cost_usd,
              max_tokens, api_key_id, end_user, tags, metadata, rerun_of, save_output_as
         FROM agent_executions WHERE parent_execution_id = $1`,
      [parentId],
    );
    expect(children).toEqual([
      {
        id: expect.any(String),
        agent_id: reviewerId,
        session_id: sessionId,
        status: 'queued',
        input: { message: 'review this' },
        priority: 7,
        max_attempts: 4,
        timeout_ms: 60000,
        model: 'reviewer-model',
        handoff_depth: 1,
        parent_execution_id: parentId,
        stream: true,
        response_format: { type: 'json_object' },
        max_cost_usd: '0.250000000',
        max_tokens: 4000,
        api_key_id: apiKeyId,
        end_user: 'user-1',
        tags: ['blue'],
        metadata: { team: 'docs' },
        rerun_of: null,
        save_output_as: null,
      },
    ]);
    const [child] = children;
    const messages = await owner.query(
      `SELECT from_execution_id, to_execution_id, content FROM agent_messages`,
    );
    expect(messages).toEqual([
      { from_execution_id: parentId, to_execution_id: child.id, content: 'review this' },
    ]);
    // The handoff event reads before the queued event of the execution it created.
    const events: { type: string; execution_id: string }[] = await owner.query(
      `SELECT type, execution_id FROM session_events WHERE session_id = $1
        ORDER BY created_at, id`,
      [sessionId],
    );
    expect(events.map((event) => [event.type, event.execution_id])).toEqual([
      ['execution.queued', parentId],
      ['execution.succeeded', parentId],
      ['handoff', parentId],
      ['execution.queued', child.id],
    ]);
    expect(await queue.getJob(child.id)).toBeDefined();
  });
});
