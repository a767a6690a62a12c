import { Module } from '@nestjs/common';
import { ExecutionEventPublisher } from './execution-event-publisher.service';

@Module({
  providers: [ExecutionEventPublisher],
  exports: [ExecutionEventPublisher],
})
export class ExecutionsCoreModule {}
