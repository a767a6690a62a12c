import { ConfigError, loadConfig } from './app-config';

const validEnv = {
  DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/agentq',
  REDIS_URL: 'redis://127.0.0.1:6379',
  AGENTQ_ADMIN_TOKEN: 'admin-token-for-tests-0123456789',
  AGENTQ_MASTER_KEY: Buffer.alloc(32, 7).toString('base64'),
};

describe('loadConfig', () => {
  it('applies defaults to a minimal environment', () => {
    const config = loadConfig(validEnv);
    expect(config.http.port).toBe(3000);
    expect(config.redis.prefix).toBe('agentq');
    expect(config.worker.concurrency).toBe(10);
    expect(config.masterKeys.previous).toEqual([]);
    expect(config.auth).toMatchObject({ cacheTtlMs: 30_000, lastUsedIntervalMs: 60_000 });
  });

  it('blocks non-global provider destinations by default in production only', () => {
    expect(loadConfig(validEnv).providers.blockPrivateUrls).toBe(false);
    expect(loadConfig({ ...validEnv, NODE_ENV: 'production' }).providers.blockPrivateUrls).toBe(
      true,
    );
    expect(
      loadConfig({
        ...validEnv,
        NODE_ENV: 'production',
        AGENTQ_BLOCK_PRIVATE_PROVIDER_URLS: 'false',
      }).providers.blockPrivateUrls,
    ).toBe(false);
  });

  it('names every missing variable', () => {
    expect(() => loadConfig({})).toThrow(ConfigError);
    try {
      loadConfig({});
    } catch (error) {
      expect((error as ConfigError).problems).toEqual(
        expect.arrayContaining([
          'DATABASE_URL is required',
          expect.stringMatching(/^REDIS_URL is required/),
          'AGENTQ_ADMIN_TOKEN is required',
          'AGENTQ_MASTER_KEY is required',
        ]),
      );
    }
  });

  it('rejects malformed values with the variable name', () => {
    const attempt = () =>
      loadConfig({ ...validEnv, AGENTQ_MASTER_KEY: 'short', WORKER_CONCURRENCY: 'many' });
    expect(attempt).toThrow(/AGENTQ_MASTER_KEY must be 32 bytes/);
    expect(attempt).toThrow(/WORKER_CONCURRENCY/);
  });

  it('parses the list of previous master keys', () => {
    const old = Buffer.alloc(32, 1).toString('base64');
    const config = loadConfig({ ...validEnv, AGENTQ_PREVIOUS_MASTER_KEYS: ` ${old} ,` });
    expect(config.masterKeys.previous).toEqual([old]);
  });

  it('reads the reliability settings and refuses fault injection in production', () => {
    const config = loadConfig(validEnv);
    expect(config.worker).toMatchObject({ lockDurationMs: 30_000, stalledIntervalMs: 30_000 });
    expect(config.reconciler).toEqual({
      intervalMs: 5_000,
      queuedGraceMs: 10_000,
      runningMarginMs: 15_000,
    });
    expect(config.faultInjection).toBeNull();
    const crash = { ...validEnv, AGENTQ_FAULT_INJECTION: 'crash-after-commit' };
    expect(loadConfig(crash).faultInjection).toBe('crash-after-commit');
    expect(() => loadConfig({ ...crash, NODE_ENV: 'production' })).toThrow(
      /AGENTQ_FAULT_INJECTION is for tests/,
    );
  });

  describe('Redis transport', () => {
    const { REDIS_URL: _url, ...withoutRedis } = validEnv;

    it('is a standalone Redis by default', () => {
      expect(loadConfig(validEnv).redis).toMatchObject({
        url: 'redis://127.0.0.1:6379',
        transport: { mode: 'standalone', url: 'redis://127.0.0.1:6379' },
      });
    });

    it('reads a Redis Cluster seed list, with credentials, and needs a hash tag in the prefix', () => {
      const cluster = {
        ...withoutRedis,
        REDIS_CLUSTER_NODES: 'redis-0.redis:6379, redis-1.redis:6380,',
        REDIS_PASSWORD: 'secret',
        REDIS_TLS: 'true',
        QUEUE_PREFIX: '{agentq}',
      };
      expect(loadConfig(cluster).redis).toEqual({
        url: '',
        prefix: '{agentq}',
        transport: {
          mode: 'cluster',
          nodes: [
            { host: 'redis-0.redis', port: 6379 },
            { host: 'redis-1.redis', port: 6380 },
          ],
          auth: { username: undefined, password: 'secret', tls: true },
        },
      });
      expect(() => loadConfig({ ...cluster, QUEUE_PREFIX: 'agentq' })).toThrow(
        /QUEUE_PREFIX must carry a hash tag such as \{agentq\} with REDIS_CLUSTER_NODES/,
      );
      expect(() => loadConfig({ ...cluster, QUEUE_PREFIX: 'agentq{}' })).toThrow(/hash tag/);
      // Redis hashes the whole key when its first {...} is empty, whatever follows.
      expect(() => loadConfig({ ...cluster, QUEUE_PREFIX: 'agentq{}{x}' })).toThrow(/hash tag/);
    });

    it('reads a Sentinel list and the master name', () => {
      const config = loadConfig({
        ...withoutRedis,
        REDIS_SENTINELS: 'sentinel-0:26379,sentinel-1:26379',
        REDIS_SENTINEL_MASTER: 'agentq',
        REDIS_SENTINEL_PASSWORD: '',
      });
      expect(config.redis.transport).toEqual({
        mode: 'sentinel',
        sentinels: [
          { host: 'sentinel-0', port: 26379 },
          { host: 'sentinel-1', port: 26379 },
        ],
        masterName: 'agentq',
        sentinelPassword: undefined,
        auth: { username: undefined, password: undefined, tls: false },
      });
    });

    it('names the variable when the transport is missing, doubled or malformed', () => {
      expect(() => loadConfig(withoutRedis)).toThrow(
        /REDIS_URL is required \(or REDIS_CLUSTER_NODES for Redis Cluster, REDIS_SENTINELS/,
      );
      expect(() => loadConfig({ ...withoutRedis, REDIS_URL: '' })).toThrow(/REDIS_URL is required/);
      expect(() =>
        loadConfig({ ...validEnv, REDIS_CLUSTER_NODES: 'a:1', QUEUE_PREFIX: '{a}' }),
      ).toThrow(/set only one of REDIS_URL, REDIS_CLUSTER_NODES/);
      expect(() => loadConfig({ ...withoutRedis, REDIS_CLUSTER_NODES: 'redis-0' })).toThrow(
        /REDIS_CLUSTER_NODES must be host:port pairs/,
      );
      expect(() => loadConfig({ ...validEnv, REDIS_PASSWORD: 'x' })).toThrow(
        /REDIS_PASSWORD: only for REDIS_CLUSTER_NODES or REDIS_SENTINELS/,
      );
    });
  });
});
