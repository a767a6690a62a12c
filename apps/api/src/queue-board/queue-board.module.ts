import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import { BullBoardModule } from '@bull-board/nestjs';
import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@agentq/config';
import { QUEUES } from '@agentq/jobs';
import { FailedAuthLimiter } from '../auth/failed-auth-limiter.service';
import { adminBasicAuth } from './admin-basic-auth.middleware';

export const QUEUE_BOARD_ROUTE = '/admin/queues';

/** Bull Board at /admin/queues, behind the admin token. */
@Module({
  imports: [
    BullModule.registerQueue(
      { name: QUEUES.executions },
      { name: QUEUES.executionReconciler },
      { name: QUEUES.contextMaintenance },
    ),
    BullBoardModule.forRootAsync({
      inject: [APP_CONFIG, FailedAuthLimiter],
      useFactory: (config: AppConfig, limiter: FailedAuthLimiter) => ({
        route: QUEUE_BOARD_ROUTE,
        adapter: ExpressAdapter,
        middleware: adminBasicAuth(config.adminToken, limiter),
        boardOptions: { uiConfig: { boardTitle: 'agentq queues' } },
      }),
    }),
    BullBoardModule.forFeature(
      { name: QUEUES.executions, adapter: BullMQAdapter },
      { name: QUEUES.executionReconciler, adapter: BullMQAdapter },
      { name: QUEUES.contextMaintenance, adapter: BullMQAdapter },
    ),
  ],
})
export class QueueBoardModule {}
