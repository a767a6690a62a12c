import { Queue } from 'bullmq';
import {
  CONTEXT_MAINTENANCE_JOB,
  CONTEXT_MAINTENANCE_SCHEDULER_ID,
  ContextMaintenanceJobData,
  ContextMaintenanceJobResult,
} from './context-maintenance.job';
import {
  EMBED_KNOWLEDGE_JOB,
  KnowledgeEmbeddingJobData,
  KnowledgeEmbeddingJobResult,
} from './knowledge-embedding.job';
import { ExecutionJobData, ExecutionJobResult, RUN_EXECUTION_JOB } from './execution.job';
import { QUEUES } from './queues';
import {
  RECONCILE_EXECUTIONS_JOB,
  ReconcileExecutionsJobData,
  ReconcileExecutionsJobResult,
} from './reconcile-executions.job';
import { SCHEDULE_TICK_JOB, ScheduleTickJobData, ScheduleTickJobResult } from './schedule-tick.job';
import {
  WEBHOOK_DELIVERY_JOB,
  WEBHOOK_DISPATCH_JOB,
  WebhookDeliveryJobData,
  WebhookDeliveryJobResult,
  WebhookDispatchJobData,
  WebhookDispatchJobResult,
} from './webhook-delivery.job';

/**
 * Every job by name: the queue that carries it, its payload and its result. Producers and
 * processors type their queues from it (`JobQueue<typeof WEBHOOK_DELIVERY_JOB>`), so the
 * compiler checks each `add` against the job's name and payload.
 */
export interface JobMap {
  [RUN_EXECUTION_JOB]: {
    queue: typeof QUEUES.executions;
    data: ExecutionJobData;
    result: ExecutionJobResult;
  };
  [CONTEXT_MAINTENANCE_JOB]: {
    queue: typeof QUEUES.contextMaintenance;
    schedulerId: typeof CONTEXT_MAINTENANCE_SCHEDULER_ID;
    data: ContextMaintenanceJobData;
    result: ContextMaintenanceJobResult;
  };
  [RECONCILE_EXECUTIONS_JOB]: {
    queue: typeof QUEUES.executionReconciler;
    data: ReconcileExecutionsJobData;
    result: ReconcileExecutionsJobResult;
  };
  [SCHEDULE_TICK_JOB]: {
    queue: typeof QUEUES.scheduleTicks;
    data: ScheduleTickJobData;
    result: ScheduleTickJobResult;
  };
  [WEBHOOK_DISPATCH_JOB]: {
    queue: typeof QUEUES.webhookDispatch;
    data: WebhookDispatchJobData;
    result: WebhookDispatchJobResult;
  };
  [WEBHOOK_DELIVERY_JOB]: {
    queue: typeof QUEUES.webhookDeliveries;
    data: WebhookDeliveryJobData;
    result: WebhookDeliveryJobResult;
  };
  [EMBED_KNOWLEDGE_JOB]: {
    queue: typeof QUEUES.knowledgeEmbeddings;
    data: KnowledgeEmbeddingJobData;
    result: KnowledgeEmbeddingJobResult;
  };
}

export type JobName = keyof JobMap;
export type JobData<N extends JobName> = JobMap[N]['data'];
export type JobResult<N extends JobName> = JobMap[N]['result'];

// BullMQ types a job scheduler's id as a job name (upsertJobScheduler), so a queue whose
// processor upserts its scheduler itself names it in the map.
type SchedulerId<N extends JobName> = JobMap[N] extends { schedulerId: infer S extends string }
  ? S
  : never;

/** The queue that carries job `N`, as `@InjectQueue(QUEUES...)` hands it. */
export type JobQueue<N extends JobName> = Queue<JobData<N>, JobResult<N>, N | SchedulerId<N>>;
