import { Module } from '@nestjs/common';
import { QUEUES } from '@agentq/jobs';
import { registerQueues } from '@agentq/redis';
import { DispatchModule } from '../dispatch/dispatch.module';
import { ContextMaintenanceProcessor } from './context-maintenance.processor';
import { ContextMaintenance } from './context-maintenance.service';

@Module({
  imports: [registerQueues(QUEUES.contextMaintenance), DispatchModule],
  providers: [ContextMaintenance, ContextMaintenanceProcessor],
})
export class ContextMaintenanceModule {}
