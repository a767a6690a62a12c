import { EntityManager } from 'typeorm';
import { toWebhookView, WebhookRow } from './webhook-view';

// The one writer of webhook_deliveries and webhook_delivery_attempts (and of the endpoint
// health that deliveries drive). Other code calls these functions; a caller that must write
// deliveries in its own statement (the terminal transition, a plan's completion) embeds
// `webhookOutboxCte`, so the outbox row still commits with the change that caused it.

type Sql = Pick<EntityManager, 'query'>;

/** What an outbox CTE writes: one delivery per subscribed endpoint of each source row's tenant. */
export interface WebhookOutboxSpec {
  /** The CTE's name in the caller's statement. */
  name: string;
  /** The CTE (or table) holding the rows that cause events: needs `id` and `tenant_id`. */
  from: string;
  /** SQL expression of the event type, in terms of `from`. */
  eventType: string;
  /** SQL expression of the payload (jsonb), in terms of `from`; none: the event's resource is read at send time. */
  payload?: string;
}

/**
 * A CTE that writes pending deliveries in the caller's statement (so the caller's transaction):
 * a crash after the commit loses no delivery; the worker's dispatcher sends them from PostgreSQL.
 */
export function webhookOutboxCte({ name, from, eventType, payload }: WebhookOutboxSpec): string {
  const payloadColumn = payload === undefined ? '' : ', payload';
  const payloadValue = payload === undefined ? '' : `,\n         ${payload}`;
  return `
${name} AS (
  INSERT INTO webhook_deliveries (tenant_id, webhook_id, event_type, resource_id${payloadColumn})
  SELECT ${from}.tenant_id, w.id, ${eventType}, ${from}.id${payloadValue}
    FROM ${from}
    JOIN webhooks w ON w.tenant_id = ${from}.tenant_id
   WHERE w.status <> 'disabled' AND (${eventType}) = ANY (w.events)
)`;
}

const QUEUE_TEST_DELIVERY_SQL = `
INSERT INTO webhook_deliveries (tenant_id, webhook_id, event_type, resource_id, payload)
VALUES ($1, $2, $3, $2, $4) RETURNING *`;

/** Queues a delivery of `eventType` to one endpoint only, through the usual outbox. */
export async function queueSingleDelivery<Row>(
  manager: Sql,
  tenantId: string,
  webhookId: string,
  eventType: string,
  payload: unknown,
): Promise<Row> {
  const [delivery] = (await manager.query(QUEUE_TEST_DELIVERY_SQL, [
    tenantId,
    webhookId,
    eventType,
    JSON.stringify(payload),
  ])) as Row[];
  return delivery;
}

/** Keyset paging supplied by the caller: table, condition and its parameters. */
export type DeliveryPager<Row> = (
  table: string,
  where: string,
  params: unknown[],
) => Promise<{ data: Row[]; nextCursor: string | null }>;

const ATTEMPTS_SQL = `SELECT * FROM webhook_delivery_attempts WHERE delivery_id = ANY($1::uuid[]) ORDER BY id`;

/** A page of an endpoint's deliveries, newest first, each with its attempts in order. */
export async function readDeliveries<
  Row extends { id: string },
  Attempt extends { delivery_id: string },
>(
  manager: Sql,
  webhookId: string,
  page: DeliveryPager<Row>,
): Promise<{ data: { delivery: Row; attempts: Attempt[] }[]; nextCursor: string | null }> {
  const deliveries = await page('webhook_deliveries', 'webhook_id = $1', [webhookId]);
  const attempts: Attempt[] = await manager.query(ATTEMPTS_SQL, [
    deliveries.data.map((delivery) => delivery.id),
  ]);
  return {
    data: deliveries.data.map((delivery) => ({
      delivery,
      attempts: attempts.filter((attempt) => attempt.delivery_id === delivery.id),
    })),
    nextCursor: deliveries.nextCursor,
  };
}

const REDELIVER_SQL = `
UPDATE webhook_deliveries
   SET status = 'pending', next_attempt_at = now(), retry_window_started_at = now(),
       completed_at = NULL
 WHERE id = $1 AND webhook_id = $2
RETURNING *`;

/** Sends a delivery again from now, with a new retry window; undefined if the endpoint has no such delivery. */
export async function redeliverDelivery<Row>(
  manager: Sql,
  webhookId: string,
  deliveryId: string,
): Promise<Row | undefined> {
  const [[delivery]] = (await manager.query(REDELIVER_SQL, [deliveryId, webhookId])) as [Row[]];
  return delivery;
}

// Leases due deliveries (their next attempt pushed past the send time limit) so a run that
// follows does not take them again; a job lost with Redis is taken again once its lease ends.
const LEASE_DUE_SQL = `
WITH leased AS (
UPDATE webhook_deliveries d
   SET next_attempt_at = now() + make_interval(secs => $2::double precision / 1000)
  FROM (SELECT id FROM webhook_deliveries
         WHERE status = 'pending' AND next_attempt_at <= now()
         ORDER BY next_attempt_at
         LIMIT $1
           FOR UPDATE SKIP LOCKED) due
 WHERE d.id = due.id
RETURNING d.id, d.tenant_id, d.attempts
)
SELECT * FROM leased`;

/** Up to `limit` due deliveries, leased for `leaseMs`. */
export function leaseDueDeliveries(
  sql: Sql,
  limit: number,
  leaseMs: number,
): Promise<{ id: string; tenant_id: string; attempts: number }[]> {
  return sql.query(LEASE_DUE_SQL, [limit, leaseMs]);
}

// Takes the attempt a job names, once: a job for an attempt already made finds nothing.
const CLAIM_SQL = `
WITH claimed AS (
UPDATE webhook_deliveries d
   SET next_attempt_at = now() + make_interval(secs => $3::double precision / 1000)
  FROM webhooks w
 WHERE d.id = $1 AND d.status = 'pending' AND d.attempts = $2 AND w.id = d.webhook_id
RETURNING d.id, d.tenant_id, d.webhook_id, d.event_type, d.resource_id, d.payload, d.created_at,
          d.retry_window_started_at, w.url, w.status AS webhook_status, w.secret_ciphertext,
          w.previous_secret_ciphertext, w.previous_secret_expires_at
)
SELECT * FROM claimed`;

/** A delivery taken for one attempt, with what sending it needs from its endpoint. */
export interface ClaimedDelivery {
  id: string;
  tenant_id: string;
  webhook_id: string;
  event_type: string;
  resource_id: string | null;
  payload: unknown;
  created_at: Date;
  retry_window_started_at: Date;
  url: string;
  webhook_status: WebhookRow['status'];
  secret_ciphertext: string;
  previous_secret_ciphertext: string | null;
  previous_secret_expires_at: Date | null;
}

/** Claims attempt `attempt` of a pending delivery for `leaseMs`; null if it is not due for it. */
export async function claimDeliveryAttempt(
  manager: Sql,
  deliveryId: string,
  attempt: number,
  leaseMs: number,
): Promise<ClaimedDelivery | null> {
  const rows: ClaimedDelivery[] = await manager.query(CLAIM_SQL, [
    deliveryId,
    attempt - 1,
    leaseMs,
  ]);
  return rows[0] ?? null;
}

const RECORD_ATTEMPT_SQL = `
INSERT INTO webhook_delivery_attempts (delivery_id, tenant_id, attempt, status_code, latency_ms, error)
VALUES ($1, $2, $3, $4, $5, $6)`;

const SUCCEEDED_SQL = `
UPDATE webhook_deliveries
   SET status = 'succeeded', attempts = $2, last_status_code = $3, last_error = NULL,
       completed_at = now()
 WHERE id = $1`;

const RETRY_SQL = `
UPDATE webhook_deliveries
   SET attempts = $2, last_status_code = $3, last_error = $4, next_attempt_at = $5
 WHERE id = $1`;

const GIVEN_UP_SQL = `
UPDATE webhook_deliveries
   SET status = 'failed', attempts = $2, last_status_code = $3, last_error = $4,
       completed_at = now()
 WHERE id = $1`;

const ENDPOINT_HEALTHY_SQL = `
UPDATE webhooks SET status = 'active', failing_since = NULL, updated_at = now()
 WHERE id = $1 AND status = 'failing'`;

// Marks the endpoint failing; returns it when it has failed long enough to be disabled.
const ENDPOINT_FAILING_SQL = `
WITH marked AS (
UPDATE webhooks
   SET status = CASE WHEN COALESCE(failing_since, now()) <= now() - make_interval(secs => $2::double precision * 86400)
                     THEN 'disabled' ELSE 'failing' END,
       failing_since = COALESCE(failing_since, now()),
       disabled_at = CASE WHEN COALESCE(failing_since, now()) <= now() - make_interval(secs => $2::double precision * 86400)
                          THEN now() END,
       disabled_reason = CASE WHEN COALESCE(failing_since, now()) <= now() - make_interval(secs => $2::double precision * 86400)
                              THEN $3 END,
       updated_at = now()
 WHERE id = $1 AND status <> 'disabled'
RETURNING *
)
SELECT * FROM marked`;

// The `webhook.disabled` event, to the tenant's other endpoints that subscribe to it.
const DISABLED_EVENT_SQL = `
INSERT INTO webhook_deliveries (tenant_id, webhook_id, event_type, resource_id, payload)
SELECT tenant_id, id, 'webhook.disabled', $2, $3::jsonb
  FROM webhooks
 WHERE tenant_id = $1 AND id <> $2 AND status <> 'disabled' AND 'webhook.disabled' = ANY (events)`;

/** How one attempt went. */
export interface DeliveryAttemptOutcome {
  statusCode: number | null;
  latencyMs: number;
  error: string | null;
}

/** What follows a recorded attempt. */
export type DeliveryNext =
  | { kind: 'succeeded' }
  | { kind: 'retry'; retryAt: Date }
  | {
      kind: 'give_up';
      /** Mark the endpoint failing (or disabled, after `disableAfterDays`) with `reason`. */
      endpointFailing: { disableAfterDays: number; reason: string } | null;
    };

/**
 * Records an attempt and what follows it, in the caller's tenant transaction. Returns the
 * endpoint when this attempt disabled it (its other subscribed endpoints get `webhook.disabled`).
 */
export async function recordDeliveryAttempt(
  manager: Sql,
  delivery: Pick<ClaimedDelivery, 'id' | 'tenant_id' | 'webhook_id'>,
  attempt: number,
  outcome: DeliveryAttemptOutcome,
  next: DeliveryNext,
): Promise<WebhookRow | null> {
  await manager.query(RECORD_ATTEMPT_SQL, [
    delivery.id,
    delivery.tenant_id,
    attempt,
    outcome.statusCode,
    outcome.latencyMs,
    outcome.error,
  ]);
  if (next.kind === 'succeeded') {
    await manager.query(SUCCEEDED_SQL, [delivery.id, attempt, outcome.statusCode]);
    await manager.query(ENDPOINT_HEALTHY_SQL, [delivery.webhook_id]);
    return null;
  }
  if (next.kind === 'retry') {
    await manager.query(RETRY_SQL, [
      delivery.id,
      attempt,
      outcome.statusCode,
      outcome.error,
      next.retryAt,
    ]);
    return null;
  }
  await manager.query(GIVEN_UP_SQL, [delivery.id, attempt, outcome.statusCode, outcome.error]);
  if (!next.endpointFailing) return null;
  const [webhook]: WebhookRow[] = await manager.query(ENDPOINT_FAILING_SQL, [
    delivery.webhook_id,
    next.endpointFailing.disableAfterDays,
    next.endpointFailing.reason,
  ]);
  if (webhook?.status !== 'disabled') return null;
  await manager.query(DISABLED_EVENT_SQL, [
    webhook.tenant_id,
    webhook.id,
    JSON.stringify(toWebhookView(webhook)),
  ]);
  return webhook;
}
