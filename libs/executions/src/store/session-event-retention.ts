import { AffectedRowsQuery } from '@agentq/database';

const DELETE_EXPIRED_SESSION_EVENTS_SQL = `
WITH batch AS (
  SELECT id FROM session_events
   WHERE created_at < now() - make_interval(secs => $1)
   ORDER BY created_at
   LIMIT $2
)
DELETE FROM session_events e USING batch WHERE e.id = batch.id`;

/**
 * Deletes up to `batchSize` session events written more than `olderThanDays` ago; the session
 * and its executions stay. Returns how many went.
 */
export function deleteExpiredSessionEvents(
  query: AffectedRowsQuery,
  olderThanDays: number,
  batchSize: number,
): Promise<number> {
  return query(DELETE_EXPIRED_SESSION_EVENTS_SQL, [olderThanDays * 86_400, batchSize]);
}
