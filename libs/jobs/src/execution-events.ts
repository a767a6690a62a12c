import { ExecutionStatus } from '@agentq/database';

export const EXECUTION_EVENT_TYPES = [
  'queued',
  'started',
  'retrying',
  'requires_action',
  'succeeded',
  'failed',
  'cancelled',
] as const;
export type ExecutionEventType = (typeof EXECUTION_EVENT_TYPES)[number];

export const TERMINAL_EVENT_TYPES: readonly ExecutionEventType[] = [
  'succeeded',
  'failed',
  'cancelled',
];

/** A lifecycle event, published on Redis pub/sub and streamed to clients over SSE. */
export interface ExecutionEvent {
  type: ExecutionEventType;
  executionId: string;
  tenantId: string;
  agentId: string;
  status: ExecutionStatus;
  attempt?: number;
  error?: { code: string; message: string };
  /** `requires_action` events: the client tool calls waiting for outputs. */
  requiredAction?: { toolCalls: { id: string; name: string; arguments: unknown }[] };
  at: string;
}

/** Pub/sub channels, namespaced by the deployment's key prefix. */
export const channels = {
  executionEvents: (prefix: string) => `${prefix}:events:executions`,
  cancelRequests: (prefix: string) => `${prefix}:control:cancel`,
  /** "<provider id> <ms left>": a provider paused after a 429, for every worker. */
  providerPauses: (prefix: string) => `${prefix}:control:provider-pauses`,
};

const EVENT_PHASES: Record<ExecutionEventType, number> = {
  queued: 0,
  started: 1,
  retrying: 2,
  // An attempt either retries or pauses for tool outputs; the resumed attempt starts anew.
  requires_action: 2,
  succeeded: 3,
  failed: 3,
  cancelled: 3,
};

/**
 * The SSE `id` of an event: `<attempt>.<phase>`. An execution's events happen in that order
 * (queued, then per attempt started and retrying, then one terminal event), so an id says
 * where a client that reconnects with `Last-Event-ID` left off, without storing events.
 */
export function executionEventId(event: Pick<ExecutionEvent, 'type' | 'attempt'>): string {
  return `${event.attempt ?? 0}.${EVENT_PHASES[event.type]}`;
}

/** Whether an event comes after the one a client last saw (a malformed id: everything does). */
export function isExecutionEventAfter(eventId: string, lastEventId: string): boolean {
  const position = (id: string) => id.split('.').map(Number);
  const [attempt, phase] = position(eventId);
  const [lastAttempt, lastPhase] = position(lastEventId);
  if (!Number.isInteger(lastAttempt) || !Number.isInteger(lastPhase)) return true;
  return attempt > lastAttempt || (attempt === lastAttempt && phase > lastPhase);
}
