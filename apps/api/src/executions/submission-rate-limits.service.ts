import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { inTenantTransaction } from '@agentq/database';
import { concurrencyKeyId, concurrencyKeyValue, ExecutionAttribution } from '@agentq/executions';
import { RedisClient, RedisConnections } from '@agentq/redis';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { KeyRateLimitedError, ValidationFailedError } from '../common/api-errors';
import { ShortLivedCache } from '../common/short-lived-cache';

// How long a process reuses an agent's per-key settings (a change applies within this).
const SETTINGS_TTL_MS = 1_000;
const MAX_CACHED_AGENTS = 10_000;
const WINDOW_MS = 60_000;

interface PerKeySettings {
  concurrencyKey: string | null;
  rateLimitPerKey: number | null;
}

// A sliding log per key value (a sorted set of submission times, on the Redis server's clock):
// no minute ever holds more than the limit. KEYS: one log per key value.
// ARGV: limit, window ms, member prefix, then the submissions to add to each log.
// Adds all of them and returns 0, or adds none and returns the ms until all would fit.
const TAKE_SUBMISSIONS = `
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local wait = 0
for i, key in ipairs(KEYS) do
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
  local over = redis.call('ZCARD', key) + tonumber(ARGV[3 + i]) - limit
  if over > 0 then
    local frees = redis.call('ZRANGE', key, over - 1, over - 1, 'WITHSCORES')
    local ms = tonumber(frees[2]) + window - now
    if ms > wait then wait = ms end
  end
end
if wait > 0 then return wait end
for i, key in ipairs(KEYS) do
  for j = 1, tonumber(ARGV[3 + i]) do
    redis.call('ZADD', key, now, ARGV[3] .. ':' .. i .. ':' .. j)
  end
  redis.call('PEXPIRE', key, window)
end
return 0`;

/** Key value → how many of the submissions count under it; those without a value count nowhere. */
export function submissionsPerKey(
  concurrencyKey: string,
  attributions: readonly Pick<ExecutionAttribution, 'apiKeyId' | 'user' | 'metadata'>[],
): Map<string, number> {
  const counts = new Map<string, number>();
  for (const attribution of attributions) {
    const value = concurrencyKeyValue(concurrencyKey, attribution);
    if (value !== null) counts.set(value, (counts.get(value) ?? 0) + 1);
  }
  return counts;
}

/** Submissions already counted, to give back if the submission is refused after all. */
export interface TakenSubmissions {
  giveBack(): Promise<void>;
}

const NOTHING_TAKEN: TakenSubmissions = { giveBack: async () => undefined };

/**
 * An agent's `rateLimitPerKey`, cluster-wide: submissions a minute per value of its
 * `concurrencyKey`, counted in Redis before anything is written. Past the limit the whole request
 * is refused with 429 `rate_limited` and a Retry-After saying when it would fit.
 */
@Injectable()
export class SubmissionRateLimits {
  private readonly cached = new ShortLivedCache<PerKeySettings>(SETTINGS_TTL_MS, MAX_CACHED_AGENTS);
  private readonly redis: RedisClient;
  private readonly prefix: string;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    connections: RedisConnections,
  ) {
    this.redis = connections.queues;
    this.prefix = connections.prefix;
  }

  async take(
    tenantId: string,
    agentId: string,
    attributions: readonly Pick<ExecutionAttribution, 'apiKeyId' | 'user' | 'metadata'>[],
  ): Promise<TakenSubmissions> {
    const { concurrencyKey, rateLimitPerKey: limit } = await this.settings(tenantId, agentId);
    if (!concurrencyKey || !limit) return NOTHING_TAKEN;
    const counts = submissionsPerKey(concurrencyKey, attributions);
    if (counts.size === 0) return NOTHING_TAKEN;
    if ([...counts.values()].some((count) => count > limit)) {
      throw new ValidationFailedError([
        {
          field: 'executions',
          message: `more executions for one ${concurrencyKey} than the agent's rateLimitPerKey (${limit} a minute)`,
        },
      ]);
    }
    const keys = [...counts.keys()].map(
      (value) => `${this.prefix}:key-rate:{agent:${agentId}}:${concurrencyKeyId(value)}`,
    );
    const member = randomUUID();
    const waitMs = Number(
      await this.redis.eval(
        TAKE_SUBMISSIONS,
        keys.length,
        ...keys,
        limit,
        WINDOW_MS,
        member,
        ...counts.values(),
      ),
    );
    if (waitMs > 0) {
      throw new KeyRateLimitedError(
        `the agent takes at most ${limit} submissions a minute per ${concurrencyKey}; ` +
          'nothing was submitted',
        Math.max(1, Math.ceil(waitMs / 1_000)),
      );
    }
    const counted = [...counts.values()];
    return {
      giveBack: async () => {
        await Promise.all(
          keys.map((key, i) =>
            this.redis.zrem(
              key,
              ...Array.from({ length: counted[i] }, (_, j) => `${member}:${i + 1}:${j + 1}`),
            ),
          ),
        );
      },
    };
  }

  private settings(tenantId: string, agentId: string): Promise<PerKeySettings> {
    return this.cached.get(`${tenantId}:${agentId}`, () => this.readSettings(tenantId, agentId));
  }

  private async readSettings(tenantId: string, agentId: string): Promise<PerKeySettings> {
    const rows: { concurrency_key: string | null; rate_limit_per_key: number | null }[] =
      await inTenantTransaction(this.dataSource, tenantId, (manager) =>
        manager.query(`SELECT concurrency_key, rate_limit_per_key FROM agents WHERE id = $1`, [
          agentId,
        ]),
      );
    return {
      concurrencyKey: rows[0]?.concurrency_key ?? null,
      rateLimitPerKey: rows[0]?.rate_limit_per_key ?? null,
    };
  }
}
