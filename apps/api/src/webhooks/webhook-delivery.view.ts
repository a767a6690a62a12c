import { ApiProperty } from '@nestjs/swagger';
import { WEBHOOK_EVENT_TYPES, WEBHOOK_TEST_EVENT } from '@agentq/webhooks';

const DELIVERY_STATUSES = ['pending', 'succeeded', 'failed'] as const;
type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

export interface DeliveryRow {
  id: string;
  webhook_id: string;
  event_type: string;
  resource_id: string | null;
  status: DeliveryStatus;
  attempts: number;
  next_attempt_at: Date;
  last_status_code: number | null;
  last_error: string | null;
  created_at: Date;
  completed_at: Date | null;
}

export interface AttemptRow {
  delivery_id: string;
  attempt: number;
  status_code: number | null;
  latency_ms: number;
  error: string | null;
  created_at: Date;
}

export class WebhookDeliveryAttemptView {
  @ApiProperty({ type: 'integer', minimum: 1 }) attempt!: number;
  @ApiProperty({
    type: 'integer',
    nullable: true,
    description: "the endpoint's HTTP status; null when no answer came",
  })
  statusCode!: number | null;
  @ApiProperty({ type: 'integer' }) latencyMs!: number;
  @ApiProperty({ type: String, nullable: true }) error!: string | null;
  @ApiProperty() at!: Date;
}

/** A delivery (its id is the `webhook-id` header, the same on every attempt) and its attempts. */
export class WebhookDeliveryView {
  @ApiProperty({ format: 'uuid', description: 'the `webhook-id` header of every attempt' })
  id!: string;
  @ApiProperty({ format: 'uuid' }) webhookId!: string;
  @ApiProperty({ enum: [...WEBHOOK_EVENT_TYPES, WEBHOOK_TEST_EVENT] }) eventType!: string;
  @ApiProperty({
    type: String,
    format: 'uuid',
    nullable: true,
    description: 'the execution (or webhook) the event is about',
  })
  resourceId!: string | null;
  @ApiProperty({ enum: DELIVERY_STATUSES }) status!: DeliveryStatus;
  @ApiProperty({ type: 'integer' }) attemptCount!: number;
  @ApiProperty({ type: Date, nullable: true, description: 'while pending' })
  nextAttemptAt!: Date | null;
  @ApiProperty({ type: 'integer', nullable: true }) lastStatusCode!: number | null;
  @ApiProperty({ type: String, nullable: true }) lastError!: string | null;
  @ApiProperty() createdAt!: Date;
  @ApiProperty({ type: Date, nullable: true }) completedAt!: Date | null;
  @ApiProperty({
    type: [WebhookDeliveryAttemptView],
    description: 'oldest first; empty in the answer to test and redeliver',
  })
  attempts!: WebhookDeliveryAttemptView[];
}

export class WebhookDeliveryPage {
  @ApiProperty({ type: [WebhookDeliveryView] }) data!: WebhookDeliveryView[];
  @ApiProperty({ type: String, nullable: true, description: 'pass as ?cursor= for the next page' })
  nextCursor!: string | null;
}

export function toDeliveryView(row: DeliveryRow, attempts: AttemptRow[]): WebhookDeliveryView {
  return {
    id: row.id,
    webhookId: row.webhook_id,
    eventType: row.event_type,
    resourceId: row.resource_id,
    status: row.status,
    attemptCount: row.attempts,
    nextAttemptAt: row.status === 'pending' ? row.next_attempt_at : null,
    lastStatusCode: row.last_status_code,
    lastError: row.last_error,
    createdAt: row.created_at,
    completedAt: row.completed_at,
    attempts: attempts.map((attempt) => ({
      attempt: attempt.attempt,
      statusCode: attempt.status_code,
      latencyMs: attempt.latency_ms,
      error: attempt.error,
      at: attempt.created_at,
    })),
  };
}
