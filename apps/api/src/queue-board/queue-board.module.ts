import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import { BullBoardModule } from '@bull-board/nestjs';
import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { QUEUES } from '@agentq/jobs';

export const QUEUE_BOARD_ROUTE = '/admin/queues';

/** Bull Board at /admin/queues, behind the admin token (adminBasicAuth, a hook createApiApp adds). */
@Module({
  imports: [
    BullModule.registerQueue(
      { name: QUEUES.executions },
      { name: QUEUES.executionReconciler },
      { name: QUEUES.contextMaintenance },
    ),
    BullBoardModule.forRoot({
      route: QUEUE_BOARD_ROUTE,
      adapter: FastifyAdapter,
      boardOptions: { uiConfig: { boardTitle: 'agentq queues' } },
    }),
    BullBoardModule.forFeature(
      { name: QUEUES.executions, adapter: BullMQAdapter },
      { name: QUEUES.executionReconciler, adapter: BullMQAdapter },
      { name: QUEUES.contextMaintenance, adapter: BullMQAdapter },
    ),
  ],
})
export class QueueBoardModule {}
