import { randomBytes } from 'node:crypto';
import Redis from 'ioredis';
import { testRunId } from './test-database';
import { testServices } from './test-services';

export const runKeyPrefix = (runId: string) => `agentq-test-${runId}`;

/** A Redis key prefix of its own for one test file, inside this run's prefix. */
export function createTestQueuePrefix(): string {
  return `${runKeyPrefix(testRunId())}-${randomBytes(3).toString('hex')}`;
}

/** Deletes the keys under a prefix with SCAN + UNLINK; never flushes the shared Redis. */
export async function deleteRedisKeys(prefix: string): Promise<number> {
  const redis = new Redis(testServices.redisUrl(), { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  try {
    let cursor = '0';
    let deleted = 0;
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) deleted += await redis.unlink(...keys);
    } while (cursor !== '0');
    return deleted;
  } finally {
    redis.disconnect();
  }
}
