import type { QueuedExecution } from './execution-producer.service';

/** What deciding an execution's job needs from its row. */
export interface ExecutionToQueue {
  id: string;
  tenantId: string;
  agentId: string;
  priority: number;
  runAt: Date | null;
  attempts: number;
  maxAttempts: number;
}

/**
 * The job for an execution row that is committed `queued`: delayed until its `runAt`, with
 * only the attempts the row has left (a requeued execution does not get its attempts back).
 */
export function queuedExecution(
  execution: ExecutionToQueue,
  isNew: boolean,
  now = Date.now(),
  traceparent?: string,
): QueuedExecution {
  return {
    executionId: execution.id,
    tenantId: execution.tenantId,
    agentId: execution.agentId,
    priority: execution.priority,
    delayMs: execution.runAt ? Math.max(0, execution.runAt.getTime() - now) : 0,
    maxAttempts: Math.max(1, execution.maxAttempts - execution.attempts),
    isNew,
    traceparent,
  };
}
