import Redis, { Cluster } from 'ioredis';
import { createRedisClient } from './redis-client.factory';

// Nothing connects: every client is built with lazyConnect and only its options are read.
describe('createRedisClient', () => {
  const auth = { username: 'agentq', password: 'secret', tls: true };

  it('builds a Cluster from the seed nodes, the offline queue on the cluster, the rest per node', () => {
    const client = createRedisClient(
      { mode: 'cluster', nodes: [{ host: 'redis-0', port: 6379 }], auth },
      { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: null },
    );
    expect(client).toBeInstanceOf(Cluster);
    const cluster = client as Cluster;
    expect(cluster.options).toMatchObject({
      lazyConnect: true,
      enableOfflineQueue: false,
      redisOptions: { username: 'agentq', password: 'secret', tls: {}, maxRetriesPerRequest: null },
    });
    // BullMQ reads a cluster's per-node options to check a worker's connection.
    expect(cluster.options.redisOptions).not.toHaveProperty('enableOfflineQueue');
    cluster.disconnect();
  });

  it('asks the Sentinels for the named master', () => {
    const client = createRedisClient(
      {
        mode: 'sentinel',
        sentinels: [{ host: 'sentinel-0', port: 26379 }],
        masterName: 'agentq',
        sentinelPassword: 'watch',
        auth: { tls: false },
      },
      { lazyConnect: true, maxRetriesPerRequest: 1 },
    );
    expect(client).toBeInstanceOf(Redis);
    expect((client as Redis).options).toMatchObject({
      sentinels: [{ host: 'sentinel-0', port: 26379 }],
      name: 'agentq',
      sentinelPassword: 'watch',
      maxRetriesPerRequest: 1,
      enableTLSForSentinelMode: false,
    });
    expect((client as Redis).options.tls).toBeUndefined();
    client.disconnect();
  });

  it('opens a standalone Redis from its URL', () => {
    const client = createRedisClient(
      { mode: 'standalone', url: 'redis://127.0.0.1:6390/2' },
      { lazyConnect: true },
    );
    expect((client as Redis).options).toMatchObject({ host: '127.0.0.1', port: 6390, db: 2 });
    client.disconnect();
  });
});
