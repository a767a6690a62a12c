import { Module } from '@nestjs/common';
import { QUEUES } from '@agentq/jobs';
import { registerQueues } from '@agentq/redis';
import { ExecutionAborter } from './lifecycle/execution-aborter.service';
import { ExecutionCanceller } from './lifecycle/execution-canceller.service';
import { LifecycleAnnouncer } from './streams/lifecycle-announcer.service';
import { ExecutionActions } from './lifecycle/execution-actions';
import { ExecutionApprovals } from './lifecycle/execution-approvals';
import { ExecutionClaims } from './lifecycle/execution-claims.service';
import { ExecutionEventPublisher } from './streams/execution-event-publisher.service';
import { ExecutionFinisher } from './lifecycle/execution-finisher.service';
import { ExecutionFollowUps } from './follow-ups/execution-follow-ups.service';
import { ExecutionProducer } from './lifecycle/execution-producer.service';
import { ExecutionStream } from './streams/execution-stream';
import { ExecutionSteps } from './store/execution-steps';
import { ExecutionSubmitter } from './lifecycle/execution-submitter.service';
import { ExecutionDebouncer } from './lifecycle/execution-debouncer.service';

/**
 * Enqueuing executions, cancelling and stopping them, and announcing their transitions (events
 * and output streams): what every process that writes them needs.
 */
@Module({
  imports: [registerQueues(QUEUES.executions)],
  providers: [
    ExecutionAborter,
    ExecutionCanceller,
    ExecutionEventPublisher,
    ExecutionProducer,
    ExecutionStream,
    LifecycleAnnouncer,
  ],
  exports: [
    ExecutionAborter,
    ExecutionCanceller,
    ExecutionEventPublisher,
    ExecutionProducer,
    ExecutionStream,
    LifecycleAnnouncer,
  ],
})
export class ExecutionQueueModule {}

/** The API's side of the lifecycle: creating executions. */
@Module({
  imports: [ExecutionQueueModule],
  providers: [ExecutionSubmitter, ExecutionDebouncer, ExecutionActions, ExecutionApprovals],
  exports: [
    ExecutionQueueModule,
    ExecutionSubmitter,
    ExecutionDebouncer,
    ExecutionActions,
    ExecutionApprovals,
  ],
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
    ExecutionApprovals,
  ],
  exports: [
    ExecutionQueueModule,
    ExecutionClaims,
    ExecutionFinisher,
    ExecutionSteps,
    ExecutionActions,
    ExecutionApprovals,
  ],
})
export class ExecutionWorkModule {}
