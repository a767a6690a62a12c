import { EntityManager } from 'typeorm';
import { recordScheduleFiring } from './schedule-firings';

// The one writer and reader of agent_schedules: the API's CRUD and the worker's tick go through
// these functions, in the caller's transaction (tenant-scoped for the API, the maintenance role
// for the tick).

type Sql = Pick<EntityManager, 'query'>;

/** A schedule's settable fields, checked by the caller, with the next fire time they give. */
export interface ScheduleFields {
  cron: string;
  timezone: string;
  input: unknown;
  priority: number;
  maxAttempts: number;
  overlap: 'skip' | 'queue';
  enabled: boolean;
  startAt: Date | null;
  endAt: Date | null;
  nextRunAt: Date | null;
  /** Stamped on every firing (the API key is the creating key's, set once at creation). */
  endUser: string | null;
  tags: string[] | null;
  metadata: Record<string, unknown> | null;
}

const INSERT_SQL = `
INSERT INTO agent_schedules (tenant_id, agent_id, cron, timezone, input, priority, max_attempts,
                             overlap, enabled, start_at, end_at, next_run_at, end_user, tags,
                             metadata, api_key_id)
SELECT a.tenant_id, a.id, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15
  FROM agents a WHERE a.id = $1
RETURNING *`;

const UPDATE_SQL = `
WITH updated AS (
UPDATE agent_schedules
   SET cron = $2, timezone = $3, input = $4, priority = $5, max_attempts = $6, overlap = $7,
       enabled = $8, start_at = $9, end_at = $10, next_run_at = $11, end_user = $12,
       tags = $13, metadata = $14, updated_at = now()
 WHERE id = $1
RETURNING *
)
SELECT * FROM updated`;

const DELETE_SQL = `DELETE FROM agent_schedules WHERE id = $1 RETURNING *`;

const FIND_SQL = `SELECT * FROM agent_schedules WHERE id = $1`;

const PAGE_SQL = `
SELECT *, to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS page_cursor
  FROM agent_schedules
 WHERE ($1::uuid IS NULL OR agent_id = $1)
   AND ($2::timestamptz IS NULL OR (created_at, id) < ($2::timestamptz, $3::uuid))
 ORDER BY created_at DESC, id DESC
 LIMIT $4`;

function fieldParams(fields: ScheduleFields): unknown[] {
  return [
    fields.cron,
    fields.timezone,
    JSON.stringify(fields.input),
    fields.priority,
    fields.maxAttempts,
    fields.overlap,
    fields.enabled,
    fields.startAt,
    fields.endAt,
    fields.nextRunAt,
    fields.endUser,
    fields.tags,
    fields.metadata,
  ];
}

/** The new schedule of the agent, or undefined when the agent is not found (in the tenant). */
export async function createSchedule<Row>(
  sql: Sql,
  agentId: string,
  fields: ScheduleFields,
  apiKeyId: string | null = null,
): Promise<Row | undefined> {
  const [row] = await sql.query(INSERT_SQL, [agentId, ...fieldParams(fields), apiKeyId]);
  return row;
}

/** Replaces a schedule's fields (the caller read it with `lock`); undefined when it is gone. */
export async function updateSchedule<Row>(
  sql: Sql,
  id: string,
  fields: ScheduleFields,
): Promise<Row | undefined> {
  const [row] = await sql.query(UPDATE_SQL, [id, ...fieldParams(fields)]);
  return row;
}

/** The deleted schedule, or undefined when there was none; its firings go with it (cascade). */
export async function deleteSchedule<Row>(sql: Sql, id: string): Promise<Row | undefined> {
  const [rows]: [Row[], number] = await sql.query(DELETE_SQL, [id]);
  return rows[0];
}

/** One schedule, locked for an update that follows when `lock`. */
export async function readSchedule<Row>(
  sql: Sql,
  id: string,
  lock = false,
): Promise<Row | undefined> {
  const [row] = await sql.query(lock ? `${FIND_SQL} FOR UPDATE` : FIND_SQL, [id]);
  return row;
}

/**
 * Up to `limit` schedules (of `agentId`, or all), newest first on (created_at, id), after the
 * position `after`. Each row carries `page_cursor`: its created_at with microseconds.
 */
export function readSchedulesNewestFirst<Row>(
  sql: Sql,
  agentId: string | null,
  after: { createdAt: string; id: string } | null,
  limit: number,
): Promise<(Row & { page_cursor: string })[]> {
  return sql.query(PAGE_SQL, [agentId, after?.createdAt ?? null, after?.id ?? null, limit]);
}

// Read without a lock: a schedule is locked only while its fire time is recorded
// (recordTickFiring), so the tick holds no connection while it submits.
const DUE_SCHEDULES_SQL = `
SELECT s.id, s.tenant_id, s.agent_id, s.cron, s.timezone, s.input, s.priority, s.max_attempts,
       s.overlap, s.start_at, s.end_at, s.next_run_at, s.last_execution_id, s.api_key_id,
       s.end_user, s.tags, s.metadata, a.status AS agent_status,
       a.budget_daily_usd AS agent_budget_daily, a.budget_monthly_usd AS agent_budget_monthly,
       t.budget_daily_usd AS tenant_budget_daily, t.budget_monthly_usd AS tenant_budget_monthly,
       CASE WHEN s.end_user IS NOT NULL THEN t.end_user_budget_daily_usd::text END
         AS end_user_budget_daily,
       CASE WHEN s.end_user IS NOT NULL THEN t.end_user_budget_monthly_usd::text END
         AS end_user_budget_monthly,
       k.budget_daily_usd::text AS api_key_budget_daily,
       k.budget_monthly_usd::text AS api_key_budget_monthly
  FROM agent_schedules s
  JOIN agents a ON a.id = s.agent_id
  JOIN tenants t ON t.id = s.tenant_id
  LEFT JOIN api_keys k ON k.id = s.api_key_id
 WHERE s.enabled AND s.next_run_at <= now()
 ORDER BY s.next_run_at
 LIMIT $1`;

/** A schedule whose next fire time has come, with what deciding its firing needs. */
export interface DueSchedule {
  id: string;
  tenant_id: string;
  agent_id: string;
  cron: string;
  timezone: string;
  input: unknown;
  priority: number;
  max_attempts: number;
  overlap: 'skip' | 'queue';
  start_at: Date | null;
  end_at: Date | null;
  next_run_at: Date;
  last_execution_id: string | null;
  /** The schedule's attribution, stamped on the execution each firing creates. */
  api_key_id: string | null;
  end_user: string | null;
  tags: string[] | null;
  metadata: Record<string, unknown> | null;
  agent_status: string;
  agent_budget_daily: string | null;
  agent_budget_monthly: string | null;
  tenant_budget_daily: string | null;
  tenant_budget_monthly: string | null;
  /** The end-user budgets (when the schedule names a user) and its key's, as submissions check them. */
  end_user_budget_daily: string | null;
  end_user_budget_monthly: string | null;
  api_key_budget_daily: string | null;
  api_key_budget_monthly: string | null;
}

/** Up to `limit` enabled schedules due now, the longest due first (all tenants). */
export function readDueSchedules(sql: Sql, limit: number): Promise<DueSchedule[]> {
  return sql.query(DUE_SCHEDULES_SQL, [limit]);
}

// The schedule, locked, as its fire time is recorded: still enabled and still at that time?
const LOCK_SCHEDULE_SQL = `
SELECT enabled, next_run_at FROM agent_schedules WHERE id = $1 FOR UPDATE`;

const ADVANCE_SQL = `
UPDATE agent_schedules
   SET next_run_at = $2,
       fired_count = fired_count + $3,
       skipped_count = skipped_count + $4,
       last_run_at = COALESCE($5, last_run_at),
       last_execution_id = COALESCE($6, last_execution_id),
       last_skipped_at = COALESCE($7, last_skipped_at),
       last_skip_reason = COALESCE($8, last_skip_reason)
 WHERE id = $1`;

/** What one due fire time became: an execution, or a skip with its reason. */
export type TickFiring =
  | { outcome: 'fired'; executionId: string }
  | { outcome: 'skipped'; reason: string; message: string };

/**
 * The tick's claim-and-advance of one fire time, in the caller's transaction: the schedule is
 * locked; if it is still enabled and still at `fireTime`, the firing is recorded (once: a fire
 * time an interrupted tick recorded already is not counted twice) and the schedule moves on to
 * `next`. False when the schedule moved on meanwhile (disabled, edited, or another tick): an
 * execution this fire time made is still recorded and counted, but the schedule keeps the next
 * fire time the change gave it.
 */
export async function recordTickFiring(
  manager: Sql,
  schedule: { id: string; tenantId: string },
  fireTime: Date,
  firing: TickFiring,
  next: Date | null,
): Promise<boolean> {
  const [current]: { enabled: boolean; next_run_at: Date | null }[] = await manager.query(
    LOCK_SCHEDULE_SQL,
    [schedule.id],
  );
  const stillDue =
    current?.enabled === true && current.next_run_at?.getTime() === fireTime.getTime();
  if (!current || (!stillDue && firing.outcome !== 'fired')) return false;
  const isNew = await recordScheduleFiring(manager, {
    scheduleId: schedule.id,
    tenantId: schedule.tenantId,
    fireTime,
    outcome: firing.outcome,
    reason: firing.outcome === 'skipped' ? `${firing.reason}: ${firing.message}` : null,
    executionId: firing.outcome === 'fired' ? firing.executionId : null,
  });
  await manager.query(ADVANCE_SQL, [
    schedule.id,
    stillDue ? next : current.next_run_at,
    firing.outcome === 'fired' && isNew ? 1 : 0,
    firing.outcome === 'skipped' && isNew ? 1 : 0,
    firing.outcome === 'fired' ? fireTime : null,
    firing.outcome === 'fired' ? firing.executionId : null,
    firing.outcome === 'skipped' ? fireTime : null,
    firing.outcome === 'skipped' ? firing.reason : null,
  ]);
  return stillDue;
}
