/**
 * Events a webhook can subscribe to: the terminal outcomes of executions, their pauses for a
 * decision (`execution.requires_action`), and the webhook's own.
 */
export const WEBHOOK_EVENT_TYPES = [
  'execution.succeeded',
  'execution.failed',
  'execution.cancelled',
  'execution.requires_action',
  'plan.completed',
  'webhook.disabled',
] as const;

export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

/** Sent by POST /v1/webhooks/:id/test to that endpoint only, whatever it subscribes to. */
export const WEBHOOK_TEST_EVENT = 'webhook.test';

/** The body every delivery carries (Standard Webhooks' recommended shape). */
export interface WebhookEventBody {
  type: string;
  timestamp: string;
  data: unknown;
}
