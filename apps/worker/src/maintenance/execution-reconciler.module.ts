import { Module } from '@nestjs/common';
import { ExecutionQueueModule, ExecutionRecovery } from '@agentq/executions';
import { QUEUES } from '@agentq/jobs';
import { registerQueues } from '@agentq/redis';
import { ExecutionReconciler } from './execution-reconciler.service';
import { ExecutionReconcilerWorker } from './execution-reconciler.processor';
import { ReconcilerMetrics } from './reconciler-metrics';

/** The reconciler: a repeatable job that brings Redis back in line with PostgreSQL. */
@Module({
  imports: [registerQueues(QUEUES.executions, QUEUES.executionReconciler), ExecutionQueueModule],
  providers: [ExecutionRecovery, ExecutionReconciler, ExecutionReconcilerWorker, ReconcilerMetrics],
})
export class ExecutionReconcilerModule {}
