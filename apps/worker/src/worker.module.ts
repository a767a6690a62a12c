import { BullModule } from '@nestjs/bullmq';
import { DynamicModule, Module } from '@nestjs/common';
import { APP_CONFIG, AppConfig, ConfigModule } from '@agentq/config';
import { DatabaseModule } from '@agentq/database';
import { redisOptionsFromUrl } from '@agentq/jobs';
import { ExecutionsModule } from './executions/executions.module';

@Module({})
export class WorkerModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: WorkerModule,
      imports: [
        ConfigModule.forRoot(config),
        DatabaseModule.forRoot('agentq-worker'),
        BullModule.forRootAsync({
          inject: [APP_CONFIG],
          useFactory: (c: AppConfig) => ({
            connection: redisOptionsFromUrl(c.redis.url),
            prefix: c.redis.prefix,
          }),
        }),
        ExecutionsModule,
      ],
    };
  }
}
