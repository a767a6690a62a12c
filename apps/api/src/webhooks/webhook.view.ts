import { ApiProperty } from '@nestjs/swagger';
import { toWebhookView as webhookViewOf, WEBHOOK_EVENT_TYPES, WebhookRow } from '@agentq/webhooks';

const WEBHOOK_STATUSES = ['active', 'failing', 'disabled'] as const;

/** A webhook endpoint as the API shows it: never its signing secret. */
export class WebhookView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: 'https://example.com/agentq-events' }) url!: string;
  // Only the event types POST and PATCH accept are ever stored.
  @ApiProperty({ enum: WEBHOOK_EVENT_TYPES, isArray: true }) events!: string[];
  @ApiProperty({ type: String, nullable: true }) description!: string | null;
  @ApiProperty({
    enum: WEBHOOK_STATUSES,
    description:
      'failing: deliveries are being given up (since failingSince); disabled: nothing is sent, by request or after failing too long',
  })
  status!: WebhookRow['status'];
  @ApiProperty({ type: Date, nullable: true }) failingSince!: Date | null;
  @ApiProperty({ type: Date, nullable: true }) disabledAt!: Date | null;
  @ApiProperty({ type: String, nullable: true }) disabledReason!: string | null;
  @ApiProperty({
    type: Date,
    nullable: true,
    description: 'until then, the secret replaced by the last rotation also signs deliveries',
  })
  previousSecretExpiresAt!: Date | null;
  @ApiProperty() createdAt!: Date;
  @ApiProperty() updatedAt!: Date;
}

/** The answer to creating an endpoint or rotating its secret: the only times it is shown. */
export class WebhookWithSecretView extends WebhookView {
  @ApiProperty({
    description:
      'the signing secret, `whsec_` and base64 (Standard Webhooks); shown once, store it now',
  })
  secret!: string;
}

export class WebhookPage {
  @ApiProperty({ type: [WebhookView] }) data!: WebhookView[];
  @ApiProperty({ type: String, nullable: true, description: 'pass as ?cursor= for the next page' })
  nextCursor!: string | null;
}

/** Built in libs/webhooks (a `webhook.disabled` event carries the same shape); typed here for OpenAPI. */
export function toWebhookView(row: WebhookRow): WebhookView {
  return webhookViewOf(row);
}

export function toWebhookWithSecretView(row: WebhookRow, secret: string): WebhookWithSecretView {
  return { ...webhookViewOf(row), secret };
}
