import { BullModule } from '@nestjs/bullmq';
import { DynamicModule } from '@nestjs/common';
import { RedisConnections } from './redis-connections';

/**
 * The one way a module registers BullMQ queues (for @InjectQueue, Bull Board, metrics): each
 * under its own key prefix, the one the process's workers use for it (RedisConnections.queuePrefix).
 */
export function registerQueues(...names: string[]): DynamicModule {
  return BullModule.registerQueueAsync(
    ...names.map((name) => ({
      name,
      inject: [RedisConnections],
      useFactory: (redis: RedisConnections) => ({ prefix: redis.queuePrefix(name) }),
    })),
  );
}
