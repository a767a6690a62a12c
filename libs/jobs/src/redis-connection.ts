import Redis, { RedisOptions } from 'ioredis';

/** Connection options for BullMQ from a redis:// URL. */
export function redisOptionsFromUrl(url: string): RedisOptions {
  const parsed = new URL(url);
  return {
    host: parsed.hostname,
    port: Number(parsed.port || 6379),
    username: parsed.username ? decodeURIComponent(parsed.username) : undefined,
    password: parsed.password ? decodeURIComponent(parsed.password) : undefined,
    db: parsed.pathname.length > 1 ? Number(parsed.pathname.slice(1)) : undefined,
    tls: parsed.protocol === 'rediss:' ? {} : undefined,
  };
}

/**
 * Logs a Redis client's trouble once per outage (and its recovery) instead of once per
 * reconnect attempt, which would flood the log while Redis is down.
 */
export function reportRedisHealth(
  redis: Redis,
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
