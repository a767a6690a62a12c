import { Module } from '@nestjs/common';
import { ExecutionSubmissionModule } from '@agentq/executions';
import { AgentsModule } from '../agents/agents.module';
import { ExecutionReruns } from './execution-reruns.service';
import { AgentExecutionsController } from './agent-executions.controller';
import { ExecutionCancellation } from './execution-cancellation.service';
import { ExecutionEventStream } from './execution-event-stream.service';
import { ExecutionOutputStream } from './execution-output-stream.service';
import { ExecutionReader } from './execution-reader.service';
import { ExecutionSubmissions } from './execution-submission.service';
import { ExecutionTools } from './execution-tools.service';
import { SubmissionBudgets } from './submission-budgets.service';
import { SubmissionRateLimits } from './submission-rate-limits.service';
import { ExecutionsController } from './executions.controller';
import { WaitpointsController } from './waitpoints.controller';

@Module({
  imports: [ExecutionSubmissionModule, AgentsModule],
  controllers: [AgentExecutionsController, ExecutionsController, WaitpointsController],
  providers: [
    ExecutionSubmissions,
    ExecutionReader,
    ExecutionCancellation,
    ExecutionEventStream,
    ExecutionOutputStream,
    ExecutionTools,
    ExecutionReruns,
    SubmissionBudgets,
    SubmissionRateLimits,
  ],
  exports: [
    ExecutionSubmissions,
    SubmissionBudgets,
    ExecutionCancellation,
    ExecutionSubmissionModule,
  ],
})
export class ExecutionsModule {}
