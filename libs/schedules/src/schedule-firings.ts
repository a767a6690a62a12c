import { EntityManager } from 'typeorm';

// The one writer (and reader) of schedule_firings: the worker's tick and the API's "fire now"
// record fire times through these functions, in the caller's tenant transaction.

type Sql = Pick<EntityManager, 'query'>;

const RECORD_FIRING_SQL = `
INSERT INTO schedule_firings (schedule_id, fire_time, tenant_id, outcome, reason, execution_id)
VALUES ($1, $2, $3, $4, $5, $6)
ON CONFLICT (schedule_id, fire_time) DO NOTHING
RETURNING 1`;

/** One fire time of a schedule: an execution, or a skip with its reason. */
export interface ScheduleFiring {
  scheduleId: string;
  tenantId: string;
  fireTime: Date;
  outcome: 'fired' | 'skipped';
  reason: string | null;
  executionId: string | null;
}

/**
 * Records a fire time once; false when an earlier, interrupted tick had recorded it already
 * (so it is not counted twice).
 */
export async function recordScheduleFiring(sql: Sql, firing: ScheduleFiring): Promise<boolean> {
  const inserted: unknown[] = await sql.query(RECORD_FIRING_SQL, [
    firing.scheduleId,
    firing.fireTime,
    firing.tenantId,
    firing.outcome,
    firing.reason,
    firing.executionId,
  ]);
  return inserted.length > 0;
}

const MANUAL_FIRING_SQL = `
WITH firing AS (
  INSERT INTO schedule_firings (schedule_id, fire_time, tenant_id, outcome, execution_id, manual)
  VALUES ($1, $2, $3, 'fired', $4, true)
)
UPDATE agent_schedules
   SET last_run_at = $2, last_execution_id = $4, fired_count = fired_count + 1
 WHERE id = $1`;

/** Records a manual run ("fire now") and counts it on its schedule. */
export async function recordManualFiring(
  sql: Sql,
  scheduleId: string,
  tenantId: string,
  firedAt: Date,
  executionId: string,
): Promise<void> {
  await sql.query(MANUAL_FIRING_SQL, [scheduleId, firedAt, tenantId, executionId]);
}

const FIRINGS_SQL = `
SELECT * FROM schedule_firings
 WHERE schedule_id = $1 AND ($2::timestamptz IS NULL OR fire_time < $2)
 ORDER BY fire_time DESC LIMIT $3`;

/** Up to `limit` fire times of a schedule before `before` (all when null), newest first. */
export function readScheduleFirings<Row>(
  sql: Sql,
  scheduleId: string,
  before: Date | null,
  limit: number,
): Promise<Row[]> {
  return sql.query(FIRINGS_SQL, [scheduleId, before, limit]);
}
