import { BullModule } from '@nestjs/bullmq';
import { DynamicModule, Module } from '@nestjs/common';
import { APP_CONFIG, AppConfig, ConfigModule } from '@agentq/config';
import { DatabaseModule } from '@agentq/database';
import { redisOptionsFromUrl } from '@agentq/jobs';
import { ContextMaintenanceModule } from './context-maintenance/context-maintenance.module';
import { ExecutionsModule } from './executions/executions.module';
import { ExecutionReconcilerModule } from './maintenance/execution-reconciler.module';
import { WorkerMetricsModule } from './metrics/worker-metrics.module';
import { WorkerRegistryModule } from './registry/worker-registry.module';

@Module({})
export class WorkerModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: WorkerModule,
      imports: [
        ConfigModule.forRoot(config),
        DatabaseModule.forRoot('agentq-worker'),
        DatabaseModule.forMaintenance('agentq-worker'),
        BullModule.forRootAsync({
          inject: [APP_CONFIG],
          useFactory: (c: AppConfig) => ({
            connection: redisOptionsFromUrl(c.redis.url),
            prefix: c.redis.prefix,
          }),
        }),
        WorkerMetricsModule,
        ExecutionsModule,
        ExecutionReconcilerModule,
        ContextMaintenanceModule,
        WorkerRegistryModule,
      ],
    };
  }
}
