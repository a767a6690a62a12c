import { ExecutionStatus } from '@agentq/database';

export const EXECUTION_EVENT_TYPES = [
  'queued',
  'started',
  'retrying',
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
  at: string;
}

/** Pub/sub channels, namespaced by the deployment's key prefix. */
export const channels = {
  executionEvents: (prefix: string) => `${prefix}:events:executions`,
  cancelRequests: (prefix: string) => `${prefix}:control:cancel`,
};
