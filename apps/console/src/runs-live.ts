import type { ExecutionView } from '@agentq/client';

/** A lifecycle event as GET /v1/executions/events sends it. */
export interface RunEvent {
  type: string;
  executionId: string;
  agentId: string;
  status: ExecutionView['status'];
  at: string;
}

/**
 * The list after an event: the row's status (and times) updated in place; the same array when
 * the execution is not on the list (a new run is counted by the page, not inserted).
 */
export function applyRunEvent(rows: ExecutionView[], event: RunEvent): ExecutionView[] {
  const index = rows.findIndex((row) => row.id === event.executionId);
  if (index === -1) return rows;
  const row = rows[index];
  const updated: ExecutionView = {
    ...row,
    status: event.status,
    startedAt: event.type === 'started' ? event.at : row.startedAt,
    completedAt: ['succeeded', 'failed', 'cancelled'].includes(event.type)
      ? event.at
      : row.completedAt,
  };
  const next = rows.slice();
  next[index] = updated;
  return next;
}
