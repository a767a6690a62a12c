/** A webhooks row as PostgreSQL returns it. */
export interface WebhookRow {
  id: string;
  tenant_id: string;
  url: string;
  events: string[];
  description: string | null;
  secret_ciphertext: string;
  previous_secret_ciphertext: string | null;
  previous_secret_expires_at: Date | null;
  status: 'active' | 'failing' | 'disabled';
  failing_since: Date | null;
  disabled_at: Date | null;
  disabled_reason: string | null;
  created_at: Date;
  updated_at: Date;
}

/** A webhook as the API shows it (and as a `webhook.disabled` event carries it): no secret. */
export function toWebhookView(row: WebhookRow) {
  return {
    id: row.id,
    url: row.url,
    events: row.events,
    description: row.description,
    status: row.status,
    failingSince: row.failing_since,
    disabledAt: row.disabled_at,
    disabledReason: row.disabled_reason,
    previousSecretExpiresAt: row.previous_secret_expires_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export type WebhookView = ReturnType<typeof toWebhookView>;
