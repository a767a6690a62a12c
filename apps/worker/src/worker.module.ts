import { BullModule } from '@nestjs/bullmq';
import { DynamicModule, Module } from '@nestjs/common';
import { AppConfig, ConfigModule } from '@agentq/config';
import { DatabaseModule } from '@agentq/database';
import { RedisConnections, RedisModule } from '@agentq/redis';
import { ContextMaintenanceModule } from './context-maintenance/context-maintenance.module';
import { ExecutionsModule } from './executions/executions.module';
import { KnowledgeWorkerModule } from './knowledge/knowledge.module';
import { ExecutionReconcilerModule } from './maintenance/execution-reconciler.module';
import { WorkerMetricsModule } from './metrics/worker-metrics.module';
import { WorkerRegistryModule } from './registry/worker-registry.module';
import { SchedulesModule } from './schedules/schedules.module';
import { WebhooksModule } from './webhooks/webhooks.module';

@Module({})
export class WorkerModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: WorkerModule,
      imports: [
        ConfigModule.forRoot(config),
        DatabaseModule.forRoot('agentq-worker'),
        DatabaseModule.forMaintenance('agentq-worker'),
        RedisModule.forRoot('worker'),
        BullModule.forRootAsync({
          inject: [RedisConnections],
          useFactory: (redis: RedisConnections) => ({
            connection: redis.queues,
            prefix: redis.prefix,
          }),
        }),
        WorkerMetricsModule,
        ExecutionsModule,
        ExecutionReconcilerModule,
        ContextMaintenanceModule,
        WorkerRegistryModule,
        SchedulesModule,
        WebhooksModule,
        KnowledgeWorkerModule,
      ],
    };
  }
}
