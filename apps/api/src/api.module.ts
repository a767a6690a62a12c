import { BullModule } from '@nestjs/bullmq';
import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { AppConfig, ConfigModule } from '@agentq/config';
import { DatabaseModule } from '@agentq/database';
import { RedisConnections, RedisModule } from '@agentq/redis';
import { AdminModule } from './admin/admin.module';
import { AgentMessagesModule } from './agent-messages/agent-messages.module';
import { AgentsModule } from './agents/agents.module';
import { ApiKeysModule } from './api-keys/api-keys.module';
import { AuthModule } from './auth/auth.module';
import { ApiExceptionFilter } from './common/api-exception.filter';
import { ConsoleModule } from './console/console.module';
import { ExecutionsModule } from './executions/executions.module';
import { HealthModule } from './health/health.module';
import { KnowledgeModule } from './knowledge/knowledge.module';
import { MemoriesModule } from './memories/memories.module';
import { ApiMetricsModule } from './metrics/api-metrics.module';
import { OperationsModule } from './operations/operations.module';
import { PlansModule } from './plans/plans.module';
import { ProjectsModule } from './projects/projects.module';
import { ProvidersModule } from './providers/providers.module';
import { QueueBoardModule } from './queue-board/queue-board.module';
import { SchedulesModule } from './schedules/schedules.module';
import { SessionsModule } from './sessions/sessions.module';
import { ToolSigningSecretModule } from './tool-signing-secret/tool-signing-secret.module';
import { UsageModule } from './usage/usage.module';
import { AuditLogModule } from './audit/audit-log.module';
import { WebhooksModule } from './webhooks/webhooks.module';
import { WorkersModule } from './workers/workers.module';

@Module({})
export class ApiModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: ApiModule,
      imports: [
        ConfigModule.forRoot(config),
        DatabaseModule.forRoot('agentq-api'),
        RedisModule.forRoot('api'),
        BullModule.forRootAsync({
          inject: [RedisConnections],
          useFactory: (redis: RedisConnections) => ({
            connection: redis.queues,
            prefix: redis.prefix,
          }),
        }),
        AuthModule,
        HealthModule,
        ConsoleModule,
        AdminModule,
        ApiKeysModule,
        ProvidersModule,
        AgentsModule,
        ExecutionsModule,
        ToolSigningSecretModule,
        MemoriesModule,
        KnowledgeModule,
        SessionsModule,
        AgentMessagesModule,
        UsageModule,
        OperationsModule,
        AuditLogModule,
        SchedulesModule,
        ProjectsModule,
        PlansModule,
        WebhooksModule,
        WorkersModule,
        ApiMetricsModule,
        QueueBoardModule,
      ],
      providers: [{ provide: APP_FILTER, useClass: ApiExceptionFilter }],
    };
  }
}
