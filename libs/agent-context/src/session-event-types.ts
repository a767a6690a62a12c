/**
 * session_events.type values. `execution.*` rows are written by a trigger on agent_executions
 * (migration 1763900000005) in the transaction of each status change, so every lifecycle step
 * of an execution in a session is recorded exactly once, whichever process made it.
 */
export const SESSION_EVENT_TYPES = {
  executionQueued: 'execution.queued',
  executionStarted: 'execution.started',
  executionRetrying: 'execution.retrying',
  executionSucceeded: 'execution.succeeded',
  executionFailed: 'execution.failed',
  executionCancelled: 'execution.cancelled',
  handoff: 'handoff',
  handoffRejected: 'handoff.rejected',
  memoryStored: 'memory.stored',
  sessionEnded: 'session.ended',
  sessionArchived: 'session.archived',
} as const;

export type SessionEventType = (typeof SESSION_EVENT_TYPES)[keyof typeof SESSION_EVENT_TYPES];

/** Why a requested handoff did not happen (payload.reason of a `handoff.rejected` event). */
export type HandoffRejection =
  | 'depth_limit'
  | 'agent_not_found'
  | 'agent_not_active'
  | 'session_not_active'
  | 'invalid_directive'
  | 'empty_message';
