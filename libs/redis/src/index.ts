export * from './channel-listener';
export * from './queue-workers';
export * from './redis-client.factory';
export * from './redis-connections';
export * from './redis.module';
export * from './register-queues';
export * from './report-redis-health';
