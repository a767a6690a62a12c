import { AgentExecution, ExecutionStatus, TERMINAL_STATUSES } from '@agentq/database';
import { ExecutionEvent, ExecutionEventType } from '@agentq/jobs';

/** The execution a lifecycle event is about. */
export interface EventSubject {
  id: string;
  tenantId: string;
  agentId: string;
  /** Attempts made so far; none for events outside an attempt (queued, cancelled). */
  attempts?: number;
}

/** The one builder of lifecycle events: what the lib publishes when it records a transition. */
export function lifecycleEvent(
  execution: EventSubject,
  type: ExecutionEventType,
  status: ExecutionStatus,
  at: Date,
  error?: { code: string; message: string },
): ExecutionEvent {
  return {
    type,
    executionId: execution.id,
    tenantId: execution.tenantId,
    agentId: execution.agentId,
    status,
    attempt: execution.attempts,
    error: error ? { code: error.code, message: error.message } : undefined,
    at: at.toISOString(),
  };
}

/** The event that brought the execution to its current state, timed by the row. */
export function currentLifecycleEvent(current: AgentExecution): ExecutionEvent {
  const subject = {
    id: current.id,
    tenantId: current.tenantId,
    agentId: current.agentId,
    attempts: current.attempts,
  };
  const error = current.error ?? undefined;
  if (TERMINAL_STATUSES.includes(current.status)) {
    const at = current.completedAt ?? current.queuedAt;
    return lifecycleEvent(subject, current.status as ExecutionEventType, current.status, at, error);
  }
  if (current.status === 'requires_action' && current.requiredAction) {
    return {
      ...lifecycleEvent(
        subject,
        'requires_action',
        current.status,
        current.startedAt ?? current.queuedAt,
        error,
      ),
      requiredAction: current.requiredAction,
    };
  }
  if (current.status === 'running' && current.startedAt) {
    return lifecycleEvent(subject, 'started', current.status, current.startedAt, error);
  }
  // Queued again after a failed attempt: the retry is the last transition.
  if (current.attempts > 0) {
    return lifecycleEvent(
      subject,
      'retrying',
      current.status,
      current.completedAt ?? current.queuedAt,
      error,
    );
  }
  return lifecycleEvent(
    { ...subject, attempts: undefined },
    'queued',
    current.status,
    current.queuedAt,
    error,
  );
}
