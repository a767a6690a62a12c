import type { AppConfig } from './app-config';

/**
 * Where the hash tag of a key sits, by Redis Cluster's rule: between the key's first `{` and
 * the first `}` after it, when that is not empty. Without one, the whole key is hashed.
 */
export function hashTagOf(key: string): { open: number; close: number } | undefined {
  const open = key.indexOf('{');
  if (open < 0) return undefined;
  const close = key.indexOf('}', open + 1);
  return close > open + 1 ? { open, close } : undefined;
}

/**
 * The key prefix of one BullMQ queue (its keys are `${prefix}:${queue}:...`). On one Redis or
 * through Sentinel, every queue lives under QUEUE_PREFIX as it is. On a Redis Cluster each
 * queue gets a hash tag of its own, QUEUE_PREFIX's tag plus the queue name (`{agentq}` becomes
 * `{agentq:agent-executions}`): every key of a queue still shares one slot, as BullMQ's
 * scripts need, and the queues hash to different slots, so they spread over the masters.
 */
export function queueKeyPrefix(
  redis: Pick<AppConfig['redis'], 'prefix' | 'transport'>,
  queue: string,
): string {
  if (redis.transport.mode !== 'cluster') return redis.prefix;
  const tag = hashTagOf(redis.prefix);
  // loadConfig refuses a cluster prefix without a hash tag; this guards a hand-made config.
  if (!tag) throw new Error(`QUEUE_PREFIX ${redis.prefix} carries no hash tag for Redis Cluster`);
  return `${redis.prefix.slice(0, tag.close)}:${queue}${redis.prefix.slice(tag.close)}`;
}
