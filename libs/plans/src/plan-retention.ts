import { AffectedRowsQuery } from '@agentq/database';

const DELETE_EXPIRED_PLANS_SQL = `
WITH batch AS (
  SELECT id FROM plans
   WHERE status <> 'running' AND completed_at < now() - make_interval(secs => $1)
   ORDER BY completed_at
   LIMIT $2
     FOR UPDATE SKIP LOCKED
)
DELETE FROM plans p USING batch WHERE p.id = batch.id`;

/**
 * Deletes up to `batchSize` finished plans that ended more than `olderThanDays` ago, their
 * tasks with them (cascade). The tasks' executions stay, with their usage. Returns how many
 * plans went.
 */
export function deleteExpiredPlans(
  query: AffectedRowsQuery,
  olderThanDays: number,
  batchSize: number,
): Promise<number> {
  return query(DELETE_EXPIRED_PLANS_SQL, [olderThanDays * 86_400, batchSize]);
}
