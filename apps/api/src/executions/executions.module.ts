import { Module } from '@nestjs/common';
import { ExecutionSubmissionModule } from '@agentq/executions';
import { AgentExecutionsController } from './agent-executions.controller';
import { ExecutionCancellation } from './execution-cancellation.service';
import { ExecutionEventStream } from './execution-event-stream.service';
import { ExecutionOutputStream } from './execution-output-stream.service';
import { ExecutionReader } from './execution-reader.service';
import { ExecutionSubmissions } from './execution-submission.service';
import { ExecutionTools } from './execution-tools.service';
import { SubmissionBudgets } from './submission-budgets.service';
import { ExecutionsController } from './executions.controller';

@Module({
  imports: [ExecutionSubmissionModule],
  controllers: [AgentExecutionsController, ExecutionsController],
  providers: [
    ExecutionSubmissions,
    ExecutionReader,
    ExecutionCancellation,
    ExecutionEventStream,
    ExecutionOutputStream,
    ExecutionTools,
    SubmissionBudgets,
  ],
  exports: [
    ExecutionSubmissions,
    SubmissionBudgets,
    ExecutionCancellation,
    ExecutionSubmissionModule,
  ],
})
export class ExecutionsModule {}
