/** BullMQ queue names. Keys live under `${QUEUE_PREFIX}:${name}:...` in Redis. */
export const QUEUES = {
  executions: 'agent-executions',
} as const;

export type QueueName = (typeof QUEUES)[keyof typeof QUEUES];
