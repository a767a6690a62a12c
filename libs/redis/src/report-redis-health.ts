import type { RedisClient } from './redis-client.factory';

/**
 * Logs a Redis client's trouble once per outage (and its recovery) instead of once per
 * reconnect attempt, which would flood the log while Redis is down.
 */
export function reportRedisHealth(
  redis: RedisClient,
  logger: { warn(message: string): void; log(message: string): void },
  label: string,
): void {
  let down = false;
  redis.on('error', (error: Error) => {
    if (down) return;
    down = true;
    logger.warn(`${label}: Redis unavailable (${error.message}); reconnecting`);
  });
  redis.on('ready', () => {
    if (!down) return;
    down = false;
    logger.log(`${label}: Redis connection restored`);
  });
}
