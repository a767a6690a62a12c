import { RedisTransport } from '@agentq/config';
import Redis, { Cluster, ClusterOptions, RedisOptions } from 'ioredis';

/** A connection to a standalone Redis, a Sentinel-managed master or a Redis Cluster. */
export type RedisClient = Redis | Cluster;

/**
 * The options a process gives every connection, whatever the transport. On a cluster the
 * offline queue is the cluster's own setting and the rest applies to each node's connection.
 */
export type ConnectionOptions = Pick<
  RedisOptions,
  | 'enableOfflineQueue'
  | 'maxRetriesPerRequest'
  | 'lazyConnect'
  | 'autoResubscribe'
  | 'connectionName'
>;

/** Opens (or, with lazyConnect, prepares) one client on the configured transport. */
export function createRedisClient(
  transport: RedisTransport,
  options: ConnectionOptions,
): RedisClient {
  if (transport.mode === 'standalone') return new Redis(transport.url, options);
  const { enableOfflineQueue, lazyConnect, ...perNode } = options;
  const { username, password, tls } = transport.auth;
  const credentials = { username, password, ...(tls ? { tls: {} } : {}) };
  if (transport.mode === 'sentinel') {
    return new Redis({
      ...options,
      ...credentials,
      sentinels: transport.sentinels,
      name: transport.masterName,
      sentinelPassword: transport.sentinelPassword,
      enableTLSForSentinelMode: tls,
    });
  }
  const clusterOptions: ClusterOptions = {
    lazyConnect,
    redisOptions: { ...perNode, ...credentials },
    ...(enableOfflineQueue === undefined ? {} : { enableOfflineQueue }),
  };
  return new Cluster(transport.nodes, clusterOptions);
}
