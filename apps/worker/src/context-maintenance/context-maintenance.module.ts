import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { QUEUES } from '@agentq/jobs';
import { ContextMaintenanceProcessor } from './context-maintenance.processor';
import { ContextMaintenance } from './context-maintenance.service';

@Module({
  imports: [BullModule.registerQueue({ name: QUEUES.contextMaintenance })],
  providers: [ContextMaintenance, ContextMaintenanceProcessor],
})
export class ContextMaintenanceModule {}
