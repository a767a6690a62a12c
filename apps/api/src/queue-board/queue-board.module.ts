import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import { BullBoardModule } from '@bull-board/nestjs';
import { Module } from '@nestjs/common';
import { QUEUES } from '@agentq/jobs';
import { registerQueues } from '@agentq/redis';

export const QUEUE_BOARD_ROUTE = '/admin/queues';

/** Bull Board at /admin/queues, behind the admin token (adminBasicAuth, a hook createApiApp adds). */
@Module({
  imports: [
    registerQueues(QUEUES.executions, QUEUES.executionReconciler, QUEUES.contextMaintenance),
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
