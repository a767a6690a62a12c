import { Module } from '@nestjs/common';
import { ExecutionSubmissionModule } from '@agentq/executions';
import { QUEUES } from '@agentq/jobs';
import { registerQueues } from '@agentq/redis';
import { ExecutionsModule } from '../executions/executions.module';
import { ScheduleFirings } from './schedule-firing.service';
import { ScheduleTicker } from './schedule-ticker.processor';

/** Fires agent schedules (PostgreSQL rows) from a cluster-wide tick. */
@Module({
  imports: [registerQueues(QUEUES.scheduleTicks), ExecutionSubmissionModule, ExecutionsModule],
  providers: [ScheduleFirings, ScheduleTicker],
})
export class SchedulesModule {}
