import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, AppConfig, queueKeyPrefix } from '@agentq/config';
import { ConnectionOptions, createRedisClient, RedisClient } from './redis-client.factory';
import { reportRedisHealth } from './report-redis-health';

export type ProcessRole = 'api' | 'worker';
export const PROCESS_ROLE = Symbol('PROCESS_ROLE');

// What a connection that runs commands does while Redis is down, per process role. The API
// answers at once (no offline queue: an enqueue fails and the request gets its 503); a worker
// waits for Redis, since BullMQ's workers need `maxRetriesPerRequest: null`.
const QUEUE_OPTIONS: Record<ProcessRole, ConnectionOptions> = {
  api: { enableOfflineQueue: false, maxRetriesPerRequest: 1 },
  worker: { maxRetriesPerRequest: null },
};

// Publishes and control messages: best effort, never waiting long for a Redis that is gone.
const COMMAND_OPTIONS: ConnectionOptions = { maxRetriesPerRequest: 1 };

/**
 * Every Redis connection of a process comes from here, so the transport (one Redis, Sentinel
 * or Redis Cluster), the options for the process's role and the outage logging are decided in
 * one place. BullMQ queues and workers share one connection (each worker opens its own
 * blocking one from it); publishes, pings and control messages share another; only pub/sub
 * subscriptions get a connection of their own, because a subscribed connection can run nothing
 * else.
 */
@Injectable()
export class RedisConnections implements OnApplicationShutdown {
  private readonly logger = new Logger(RedisConnections.name);
  /** For BullMQ queues and workers. */
  readonly queues: RedisClient;
  /** For publishes, health pings and control messages. */
  readonly commands: RedisClient;
  private readonly subscribers: RedisClient[] = [];

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(PROCESS_ROLE) private readonly role: ProcessRole,
  ) {
    this.queues = this.open('queues', QUEUE_OPTIONS[role]);
    this.commands = role === 'api' ? this.queues : this.open('commands', COMMAND_OPTIONS);
  }

  /** The deployment's key prefix (QUEUE_PREFIX): pub/sub channels and connection names. */
  get prefix(): string {
    return this.config.redis.prefix;
  }

  /** The key prefix of one queue: QUEUE_PREFIX, or on a Redis Cluster a hash tag of the queue's own. */
  queuePrefix(queue: string): string {
    return queueKeyPrefix(this.config.redis, queue);
  }

  /**
   * A connection of its own for one pub/sub subscription, not yet connected: the caller
   * subscribes once it has attached its listeners.
   */
  subscriber(label: string, options: Pick<ConnectionOptions, 'autoResubscribe'> = {}): RedisClient {
    const subscriber = this.open(label, {
      ...options,
      maxRetriesPerRequest: null,
      lazyConnect: true,
    });
    this.subscribers.push(subscriber);
    return subscriber;
  }

  async onApplicationShutdown() {
    for (const subscriber of this.subscribers) subscriber.disconnect();
    const shared = new Set([this.queues, this.commands]);
    await Promise.all([...shared].map((redis) => redis.quit().catch(() => redis.disconnect())));
  }

  // Named `<prefix>:<role>:<label>`, so CLIENT LIST shows whose connection each is.
  private open(label: string, options: ConnectionOptions): RedisClient {
    const connectionName = `${this.prefix}:${this.role}:${label.replaceAll(' ', '-')}`;
    const redis = createRedisClient(this.config.redis.transport, { ...options, connectionName });
    reportRedisHealth(redis, this.logger, label);
    return redis;
  }
}
