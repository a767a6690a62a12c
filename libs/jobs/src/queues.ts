/** BullMQ queue names. Keys live under `${QUEUE_PREFIX}:${name}:...` in Redis. */
export const QUEUES = {
  executions: 'agent-executions',
  /** Retention, memory cleanup and session archiving; one repeatable job, one run at a time. */
  contextMaintenance: 'agent-context-maintenance',
  /** The reconciler: PostgreSQL (the truth) against Redis (the transport); one run at a time. */
  executionReconciler: 'agent-execution-reconciler',
  /** The schedule tick: fires the schedules whose time has come; one run at a time. */
  scheduleTicks: 'schedule-ticks',
  /** Moves due webhook deliveries from PostgreSQL (the outbox) to webhookDeliveries; one at a time. */
  webhookDispatch: 'webhook-dispatch',
  /** One job per delivery attempt, with a concurrency of its own, apart from executions. */
  webhookDeliveries: 'webhook-deliveries',
  /** Embeddings of knowledge chunks and memories, through each tenant's embedding provider. */
  knowledgeEmbeddings: 'knowledge-embeddings',
} as const;

export type QueueName = (typeof QUEUES)[keyof typeof QUEUES];
