import { DynamicModule, Global, Module } from '@nestjs/common';
import { ChannelListener } from './channel-listener';
import { QueueWorkers } from './queue-workers';
import { PROCESS_ROLE, ProcessRole, RedisConnections } from './redis-connections';

/** Provides the process's RedisConnections, ChannelListener and QueueWorkers to every module (needs ConfigModule.forRoot). */
@Global()
@Module({})
export class RedisModule {
  static forRoot(role: ProcessRole): DynamicModule {
    return {
      module: RedisModule,
      providers: [
        { provide: PROCESS_ROLE, useValue: role },
        RedisConnections,
        ChannelListener,
        QueueWorkers,
      ],
      exports: [RedisConnections, ChannelListener, QueueWorkers],
    };
  }
}
