import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { ExecutionsCoreModule } from '@agentq/executions';
import { QUEUES } from '@agentq/jobs';
import { AgentExecutionsController } from './agent-executions.controller';
import { ExecutionCancellation } from './execution-cancellation.service';
import { ExecutionEventStream } from './execution-event-stream.service';
import { ExecutionQueue } from './execution-queue.service';
import { ExecutionReader } from './execution-reader.service';
import { ExecutionSubmissions } from './execution-submission.service';
import { ExecutionsController } from './executions.controller';

@Module({
  imports: [BullModule.registerQueue({ name: QUEUES.executions }), ExecutionsCoreModule],
  controllers: [AgentExecutionsController, ExecutionsController],
  providers: [
    ExecutionSubmissions,
    ExecutionReader,
    ExecutionQueue,
    ExecutionCancellation,
    ExecutionEventStream,
  ],
})
export class ExecutionsModule {}
