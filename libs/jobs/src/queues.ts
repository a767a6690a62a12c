/** BullMQ queue names. Keys live under `${QUEUE_PREFIX}:${name}:...` in Redis. */
export const QUEUES = {
  executions: 'agent-executions',
  /** Retention, memory cleanup and session archiving; one repeatable job, one run at a time. */
  contextMaintenance: 'agent-context-maintenance',
  /** The reconciler: PostgreSQL (the truth) against Redis (the transport); one run at a time. */
  executionReconciler: 'agent-execution-reconciler',
} as const;

export type QueueName = (typeof QUEUES)[keyof typeof QUEUES];
