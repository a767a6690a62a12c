import { RedisConnections } from '@agentq/redis';
import { createTestQueuePrefix, deleteRedisKeys, testServices } from '@agentq/testing';
import Redis from 'ioredis';
import {
  EXECUTION_STREAM_FIELD,
  EXECUTION_STREAM_TTL_SECONDS,
  ExecutionStream,
  executionStreamKey,
} from './execution-stream';

describe('ExecutionStream against Redis', () => {
  const prefix = createTestQueuePrefix();
  const redis = new Redis(testServices.redisUrl());
  // The two members the stream uses; the connection is a real one.
  const connections = {
    commands: redis,
    queuePrefix: () => prefix,
  } as Pick<RedisConnections, 'commands' | 'queuePrefix'> as RedisConnections;
  const stream = new ExecutionStream(connections);

  afterAll(async () => {
    await deleteRedisKeys(prefix);
    redis.disconnect();
  });

  const entries = async (executionId: string) =>
    (await redis.xrange(executionStreamKey(connections, executionId), '-', '+')).map(
      ([id, fields]) => ({ id, ...JSON.parse(fields[fields.indexOf(EXECUTION_STREAM_FIELD) + 1]) }),
    );

  it('keys each execution under the queue key prefix', () => {
    expect(executionStreamKey(connections, 'e1')).toBe(`${prefix}:stream:e1`);
    const cluster = { queuePrefix: (name: string) => `{agentq:${name}}` };
    expect(executionStreamKey(cluster, 'e1')).toBe('{agentq:stream:e1}:stream:e1');
  });

  it('coalesces close deltas, keeps order, and ends with the outcome and a TTL', async () => {
    const attempt = stream.begin({ id: 'e2', stream: true, attempts: 1 });
    for (const text of ['Hello', ',', ' world']) attempt.onDelta!(text);
    attempt.step({ index: 0, type: 'model' });
    attempt.onDelta!('!');
    attempt.end('succeeded', { text: 'Hello, world!', finishReason: 'stop', model: 'm' }, null);
    await new Promise((resolve) => setTimeout(resolve, 100));

    const written = await entries('e2');
    expect(written.map(({ id: _id, ...event }) => event)).toEqual([
      { type: 'delta', attempt: 1, text: 'Hello, world' },
      { type: 'step', attempt: 1, step: { index: 0, type: 'model' } },
      { type: 'delta', attempt: 1, text: '!' },
      {
        type: 'succeeded',
        attempt: 1,
        output: { text: 'Hello, world!', finishReason: 'stop', model: 'm' },
        error: null,
      },
    ]);
    const ttl = await redis.ttl(executionStreamKey(connections, 'e2'));
    expect(ttl).toBeGreaterThan(EXECUTION_STREAM_TTL_SECONDS - 5);
  });

  it('starts a retried attempt with a reset', async () => {
    stream.begin({ id: 'e3', stream: true, attempts: 2 }).onDelta!('again');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect((await entries('e3')).map((e) => e.type)).toEqual(['reset', 'delta']);
    expect((await entries('e3'))[0]).toMatchObject({ attempt: 2, reason: 'retry' });
  });

  it('writes nothing for an execution that is not streamed', async () => {
    const attempt = stream.begin({ id: 'e4', stream: false, attempts: 3 });
    expect(attempt.onDelta).toBeUndefined();
    attempt.step({});
    attempt.requiresAction({});
    attempt.end('failed', null, { code: 'x', message: 'x' });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await redis.exists(executionStreamKey(connections, 'e4'))).toBe(0);
  });
});
