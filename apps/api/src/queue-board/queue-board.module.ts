import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import { BullBoardModule } from '@bull-board/nestjs';
import { Module } from '@nestjs/common';
import { QUEUES } from '@agentq/jobs';
import { registerQueues } from '@agentq/redis';

export const QUEUE_BOARD_ROUTE = '/admin/queues';

// Every queue agentq has, so that a new one shows up on the board without anyone adding it here.
const ALL_QUEUES = Object.values(QUEUES);

/** Bull Board at /admin/queues, behind the admin token (adminBasicAuth, a hook createApiApp adds). */
@Module({
  imports: [
    registerQueues(...ALL_QUEUES),
    BullBoardModule.forRoot({
      route: QUEUE_BOARD_ROUTE,
      adapter: FastifyAdapter,
      boardOptions: { uiConfig: { boardTitle: 'agentq queues' } },
    }),
    BullBoardModule.forFeature(...ALL_QUEUES.map((name) => ({ name, adapter: BullMQAdapter }))),
  ],
})
export class QueueBoardModule {}
