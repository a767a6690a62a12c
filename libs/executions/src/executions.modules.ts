import { Module } from '@nestjs/common';
import { QUEUES } from '@agentq/jobs';
import { registerQueues } from '@agentq/redis';
import { ExecutionAborter } from './execution-aborter.service';
import { ExecutionActions } from './execution-actions';
import { ExecutionClaims } from './execution-claims.service';
import { ExecutionEventPublisher } from './execution-event-publisher.service';
import { ExecutionFinisher } from './execution-finisher.service';
import { ExecutionFollowUps } from './execution-follow-ups.service';
import { ExecutionProducer } from './execution-producer.service';
import { ExecutionStream } from './execution-stream';
import { ExecutionSteps } from './execution-steps';
import { ExecutionSubmitter } from './execution-submitter.service';

/**
 * Enqueuing executions, stopping cancelled ones and announcing their events: what every process
 * that writes them needs.
 */
@Module({
  imports: [registerQueues(QUEUES.executions)],
  providers: [ExecutionAborter, ExecutionEventPublisher, ExecutionProducer],
  exports: [ExecutionAborter, ExecutionEventPublisher, ExecutionProducer],
})
export class ExecutionQueueModule {}

/** The API's side of the lifecycle: creating executions. */
@Module({
  imports: [ExecutionQueueModule],
  providers: [ExecutionSubmitter, ExecutionActions],
  exports: [ExecutionQueueModule, ExecutionSubmitter, ExecutionActions],
})
export class ExecutionSubmissionModule {}

/**
 * The worker's side of the lifecycle: claiming executions, streaming their output and ending
 * them, with follow-ups.
 */
@Module({
  imports: [ExecutionQueueModule],
  providers: [
    ExecutionClaims,
    ExecutionFinisher,
    ExecutionFollowUps,
    ExecutionSteps,
    ExecutionActions,
    ExecutionStream,
  ],
  exports: [
    ExecutionQueueModule,
    ExecutionClaims,
    ExecutionFinisher,
    ExecutionSteps,
    ExecutionActions,
    ExecutionStream,
  ],
})
export class ExecutionWorkModule {}
