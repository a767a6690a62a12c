import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { QUEUES } from '@agentq/jobs';
import { ExecutionClaims } from './execution-claims.service';
import { ExecutionEventPublisher } from './execution-event-publisher.service';
import { ExecutionFinisher } from './execution-finisher.service';
import { ExecutionFollowUps } from './execution-follow-ups.service';
import { ExecutionProducer } from './execution-producer.service';
import { ExecutionSubmitter } from './execution-submitter.service';

/** The execution lifecycle's owner, for the API and the worker alike. */
@Module({
  imports: [BullModule.registerQueue({ name: QUEUES.executions })],
  providers: [
    ExecutionEventPublisher,
    ExecutionProducer,
    ExecutionSubmitter,
    ExecutionClaims,
    ExecutionFinisher,
    ExecutionFollowUps,
  ],
  exports: [
    ExecutionEventPublisher,
    ExecutionProducer,
    ExecutionSubmitter,
    ExecutionClaims,
    ExecutionFinisher,
  ],
})
export class ExecutionsCoreModule {}
