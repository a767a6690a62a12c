import Redis from 'ioredis';
import { QUEUES } from '@agentq/jobs';
import { testServices } from '@agentq/testing';
import { waitFor } from './support/scenario';
import { startTestStack, TestStack } from './support/test-stack';

// The names of this stack's open connections, as Redis sees them.
async function connectionNames(redis: Redis, prefix: string): Promise<string[]> {
  const list = (await redis.client('LIST')) as string;
  return list
    .split('\n')
    .map((line) => /(?:^| )name=(\S*)/.exec(line)?.[1] ?? '')
    .filter((name) => name.startsWith(`${prefix}:`))
    .map((name) => name.slice(prefix.length + 1))
    .sort();
}

describe('Redis connections per process role', () => {
  let stack: TestStack;
  let redis: Redis;

  beforeAll(async () => {
    stack = await startTestStack({ workers: 1 });
    redis = new Redis(testServices.redisUrl(), { maxRetriesPerRequest: 1 });
  });

  afterAll(async () => {
    redis.disconnect();
    await stack.stop();
  });

  it('opens every connection through the factory of its role, and no more', async () => {
    // Subscriptions connect in the background; 9 is every connection of one API and one worker.
    const names = await waitFor(async () => {
      const open = await connectionNames(redis, stack.config.redis.prefix);
      return open.length >= 9 && open;
    }, 'the connections of the API and the worker');
    // The API: queues, publishes and pings share one connection; each subscription has its own.
    expect(names.filter((name) => name.startsWith('api:'))).toEqual([
      'api:event-subscriber',
      'api:queues',
      'api:revocation-subscriber',
    ]);
    // The worker: one pub/sub connection for all its channels (cancel requests, provider pauses).
    expect(names.filter((name) => name.startsWith('worker:'))).toEqual([
      'worker:channel-listener',
      'worker:commands',
      'worker:queues',
    ]);
    // Besides, BullMQ opens one blocking connection per hosted worker, named after its queue.
    const blocking = names
      .filter((name) => !name.includes(':'))
      .map((name) => Buffer.from(name, 'base64').toString());
    expect(blocking.sort()).toEqual(Object.values(QUEUES).sort());
  });
});
