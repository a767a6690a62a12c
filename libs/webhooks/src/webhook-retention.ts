import { AffectedRowsQuery } from '@agentq/database';

const DELETE_EXPIRED_DELIVERIES_SQL = `
WITH batch AS (
  SELECT id FROM webhook_deliveries
   WHERE completed_at < now() - make_interval(secs => $1)
   ORDER BY completed_at
   LIMIT $2
     FOR UPDATE SKIP LOCKED
)
DELETE FROM webhook_deliveries d USING batch WHERE d.id = batch.id`;

/**
 * Deletes up to `batchSize` finished deliveries (succeeded or given up) completed more than
 * `olderThanDays` ago, their attempts with them (cascade). A pending one, or one redelivered, is
 * kept whatever its age. Returns how many deliveries went.
 */
export function deleteExpiredWebhookDeliveries(
  query: AffectedRowsQuery,
  olderThanDays: number,
  batchSize: number,
): Promise<number> {
  return query(DELETE_EXPIRED_DELIVERIES_SQL, [olderThanDays * 86_400, batchSize]);
}
