import { Module } from '@nestjs/common';
import { QUEUES } from '@agentq/jobs';
import { registerQueues } from '@agentq/redis';
import { ExecutionAborter } from './execution-aborter.service';
import { ExecutionClaims } from './execution-claims.service';
import { ExecutionEventPublisher } from './execution-event-publisher.service';
import { ExecutionFinisher } from './execution-finisher.service';
import { ExecutionFollowUps } from './execution-follow-ups.service';
import { ExecutionProducer } from './execution-producer.service';
import { ExecutionStream } from './execution-stream';
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
  providers: [ExecutionSubmitter],
  exports: [ExecutionQueueModule, ExecutionSubmitter],
})
export class ExecutionSubmissionModule {}

/**
 * The worker's side of the lifecycle: claiming executions, streaming their output and ending
 * them, with follow-ups.
 */
@Module({
  imports: [ExecutionQueueModule],
  providers: [ExecutionClaims, ExecutionFinisher, ExecutionFollowUps, ExecutionStream],
  exports: [ExecutionQueueModule, ExecutionClaims, ExecutionFinisher, ExecutionStream],
})
export class ExecutionWorkModule {}
