import { AffectedRowsQuery } from '@agentq/database';

const DELETE_EXPIRED_FIRINGS_SQL = `
WITH batch AS (
  SELECT schedule_id, fire_time FROM schedule_firings
   WHERE created_at < now() - make_interval(secs => $1)
   ORDER BY created_at
   LIMIT $2
     FOR UPDATE SKIP LOCKED
)
DELETE FROM schedule_firings f USING batch
 WHERE f.schedule_id = batch.schedule_id AND f.fire_time = batch.fire_time`;

/**
 * Deletes up to `batchSize` schedule firings recorded more than `olderThanDays` ago (far past
 * the catch-up window, so no tick can fire those times again). The schedule's counters and
 * last run stay. Returns how many went.
 */
export function deleteExpiredScheduleFirings(
  query: AffectedRowsQuery,
  olderThanDays: number,
  batchSize: number,
): Promise<number> {
  return query(DELETE_EXPIRED_FIRINGS_SQL, [olderThanDays * 86_400, batchSize]);
}
