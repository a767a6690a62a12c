import { EntityManager } from 'typeorm';
import { FailurePolicy, TaskInput, TaskSpec } from './plan-spec';
import { dependentsOf, PlanStatus, TaskStatus } from './plan-step';

// The statements on plans and plan_tasks that moving a plan on takes. libs/executions calls
// them inside the transaction that records its tasks' terminal outcomes (plan advancement), and
// embeds `planTaskOutcomeCte` in the terminal UPDATE itself, so a task ends in the same
// statement as its execution.

type Sql = Pick<EntityManager, 'query'>;

/** A plan being moved on, locked. */
export interface PlanToAdvance {
  id: string;
  tenant_id: string;
  status: PlanStatus;
  failure_policy: FailurePolicy;
  input: unknown;
  /** Who the plan runs for; every task's execution inherits it. */
  api_key_id: string | null;
  end_user: string | null;
  tags: string[] | null;
  metadata: Record<string, unknown> | null;
}

/** A task of a plan being moved on, in the plan's order. */
export interface PlanTaskRow {
  plan_id: string;
  key: string;
  status: TaskStatus;
  depends_on: string[];
  agent_id: string | null;
  capability: string | null;
  input: TaskInput;
  priority: number;
  max_attempts: number;
  timeout_ms: number | null;
  execution_id: string | null;
  /** On success, the task's output is stored as a knowledge entry. */
  save_output_as: TaskSpec['saveOutputAs'];
}

const LOCK_PLANS_SQL = `
SELECT id, tenant_id, status, failure_policy, input, api_key_id, end_user, tags, metadata
  FROM plans
 WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE`;

const PLAN_TASKS_SQL = `
SELECT plan_id, key, status, depends_on, agent_id, capability, input, priority, max_attempts,
       timeout_ms, execution_id, save_output_as
  FROM plan_tasks WHERE plan_id = ANY($1::uuid[]) ORDER BY plan_id, position`;

const MARK_TASKS_QUEUED_SQL = `
UPDATE plan_tasks t SET status = 'queued', execution_id = r.execution_id, agent_id = r.agent_id
  FROM jsonb_to_recordset($1::jsonb) AS r(plan_id uuid, key text, execution_id uuid, agent_id uuid)
 WHERE t.plan_id = r.plan_id AND t.key = r.key AND t.status = 'pending'`;

const MARK_TASKS_SQL = `
UPDATE plan_tasks t SET status = $3, error = $4::jsonb, completed_at = now()
 WHERE t.plan_id = $1 AND t.key = ANY($2::text[]) AND t.status = 'pending'`;

/**
 * Locks the plans (in id order, so two transactions finishing tasks of the same plans wait for
 * each other instead of deadlocking) and reads them.
 */
export function lockPlansToAdvance(sql: Sql, planIds: readonly string[]): Promise<PlanToAdvance[]> {
  return sql.query(LOCK_PLANS_SQL, [[...new Set(planIds)]]);
}

export function readTasksOfPlans(sql: Sql, planIds: readonly string[]): Promise<PlanTaskRow[]> {
  return sql.query(PLAN_TASKS_SQL, [planIds]);
}

/** Pending tasks that got their execution: `queued`, with the agent they were given. */
export async function markTasksQueued(
  sql: Sql,
  planId: string,
  started: readonly { key: string; executionId: string; agentId: string }[],
): Promise<void> {
  if (started.length === 0) return;
  await sql.query(MARK_TASKS_QUEUED_SQL, [
    JSON.stringify(
      started.map((task) => ({
        plan_id: planId,
        key: task.key,
        execution_id: task.executionId,
        agent_id: task.agentId,
      })),
    ),
  ]);
}

/** Pending tasks that end without an execution: skipped, or failed with `error`. */
export async function markTasksEnded(
  sql: Sql,
  planId: string,
  keys: readonly string[],
  status: 'skipped' | 'failed',
  error: { code: string; message: string } | null,
): Promise<void> {
  await sql.query(MARK_TASKS_SQL, [planId, keys, status, error && JSON.stringify(error)]);
}

const PLAN_OF_EXECUTION_SQL = `SELECT plan_id FROM plan_tasks WHERE execution_id = $1`;

const TASK_OF_EXECUTION_SQL = `
SELECT key, status FROM plan_tasks WHERE plan_id = $1 AND execution_id = $2`;

const RERUN_TASK_SQL = `
UPDATE plan_tasks SET status = 'queued', execution_id = $3, error = NULL, completed_at = NULL
 WHERE plan_id = $1 AND key = $2`;

const UNSKIP_TASKS_SQL = `
UPDATE plan_tasks SET status = 'pending', error = NULL, completed_at = NULL
 WHERE plan_id = $1 AND key = ANY($2::text[]) AND status = 'skipped'`;

/** The task whose current execution an execution is, with its plan locked and as it stands. */
export interface TaskOfExecution {
  plan: PlanToAdvance;
  key: string;
  status: TaskStatus;
}

/**
 * The plan task whose current execution this is, its plan row locked (so no advance of the plan
 * runs meanwhile); null when the execution is no task's, or no longer its task's.
 */
export async function lockTaskOfExecution(
  sql: Sql,
  executionId: string,
): Promise<TaskOfExecution | null> {
  const [found] = (await sql.query(PLAN_OF_EXECUTION_SQL, [executionId])) as {
    plan_id: string;
  }[];
  if (!found) return null;
  const [plan] = await lockPlansToAdvance(sql, [found.plan_id]);
  // Read again under the lock: a rerun committed meanwhile may have given the task another.
  const [task] = (await sql.query(TASK_OF_EXECUTION_SQL, [plan.id, executionId])) as {
    key: string;
    status: TaskStatus;
  }[];
  return task ? { plan, key: task.key, status: task.status } : null;
}

/**
 * A task of a locked plan gets a new execution (a rerun): `queued` again, and the dependents its
 * failure skipped are pending again. The caller then advances the plan in the same transaction,
 * which skips again those that depend on another failed task.
 */
export async function rerunTask(
  sql: Sql,
  planId: string,
  key: string,
  executionId: string,
): Promise<void> {
  await sql.query(RERUN_TASK_SQL, [planId, key, executionId]);
  const tasks = await readTasksOfPlans(sql, [planId]);
  const dependents = dependentsOf(
    tasks.map((t) => ({ key: t.key, status: t.status, dependsOn: t.depends_on })),
    key,
  );
  if (dependents.length > 0) await sql.query(UNSKIP_TASKS_SQL, [planId, dependents]);
}

/**
 * A CTE that ends the plan tasks of the executions in `from` (which needs `id`, `status`,
 * `completed_at` and `error`) in the caller's statement, returning `execution_id, plan_id`: the
 * terminal transition names its plans to move on without a second statement.
 */
export function planTaskOutcomeCte({ name, from }: { name: string; from: string }): string {
  return `
${name} AS (
  UPDATE plan_tasks t SET status = ${from}.status, completed_at = ${from}.completed_at,
         error = ${from}.error
    FROM ${from}
   WHERE t.execution_id = ${from}.id
  RETURNING t.execution_id, t.plan_id
)`;
}

const PLANS_PAGE_SQL = `
SELECT id, to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS page_cursor
  FROM plans
 WHERE ($1::uuid IS NULL OR project_id = $1) AND ($2::text IS NULL OR status = $2)
   AND ($3::timestamptz IS NULL OR (created_at, id) < ($3::timestamptz, $4::uuid))
 ORDER BY created_at DESC, id DESC
 LIMIT $5`;

/**
 * Up to `limit` plan ids (of a project, in a status, or all), newest first on (created_at, id),
 * after the position `after`; each with `page_cursor`, its created_at with microseconds.
 */
export function readPlanIdsNewestFirst(
  sql: Sql,
  filter: { projectId: string | null; status: string | null },
  after: { createdAt: string; id: string } | null,
  limit: number,
): Promise<{ id: string; page_cursor: string }[]> {
  return sql.query(PLANS_PAGE_SQL, [
    filter.projectId,
    filter.status,
    after?.createdAt ?? null,
    after?.id ?? null,
    limit,
  ]);
}

const TASK_EXECUTIONS_RERUN_IN_PLAN_SQL = `
SELECT t.execution_id FROM plan_tasks t JOIN plans p ON p.id = t.plan_id
 WHERE t.execution_id = ANY($1::uuid[]) AND p.status = 'running'
   AND t.status IN ('failed', 'cancelled')`;

/**
 * Of these executions, those a rerun would put back in their plan (rerunsInPlan): the current
 * executions of failed or cancelled tasks of running plans. Read without locks: the rerun itself
 * decides again under the plan's lock (lockTaskOfExecution).
 */
export async function taskExecutionsRerunInPlan(
  sql: Sql,
  executionIds: readonly string[],
): Promise<string[]> {
  if (executionIds.length === 0) return [];
  const rows = (await sql.query(TASK_EXECUTIONS_RERUN_IN_PLAN_SQL, [executionIds])) as {
    execution_id: string;
  }[];
  return rows.map((row) => row.execution_id);
}
