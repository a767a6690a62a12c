/**
 * The webhook outbox hook of the terminal transition: a CTE of RECORD_TERMINAL_OUTCOMES_SQL that
 * writes one pending delivery per transition won and per webhook of its tenant subscribed to
 * `execution.<status>`, in the same statement (so the same transaction) as the outcome. A crash
 * after the commit loses no delivery; the worker's dispatcher sends them from PostgreSQL.
 */
export const WEBHOOK_OUTBOX_CTE = `
webhook_outbox AS (
  INSERT INTO webhook_deliveries (tenant_id, webhook_id, event_type, resource_id)
  SELECT won.tenant_id, w.id, 'execution.' || won.status, won.id
    FROM won
    JOIN webhooks w ON w.tenant_id = won.tenant_id
   WHERE w.status <> 'disabled' AND ('execution.' || won.status) = ANY (w.events)
)`;
