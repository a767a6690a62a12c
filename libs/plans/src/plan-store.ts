import { webhookOutboxCte } from '@agentq/webhooks';
import { EntityManager } from 'typeorm';
import { FailurePolicy, TaskSpec } from './plan-spec';
import { PlanStatus, TaskStatus } from './plan-step';

/** A plan to create, validated (validatePlanGraph) and with its agents checked. */
export interface NewPlan {
  tenantId: string;
  projectId: string | null;
  title: string;
  description: string | null;
  input: Record<string, unknown>;
  failurePolicy: FailurePolicy;
  idempotencyKey: string | null;
  tasks: TaskSpec[];
  /** Inherited by every task's execution (libs/executions' ExecutionAttribution). */
  attribution?: {
    apiKeyId: string | null;
    user: string | null;
    tags: string[] | null;
    metadata: Record<string, unknown> | null;
  };
}

export interface PlanTaskDetails {
  key: string;
  title: string | null;
  status: TaskStatus;
  agentId: string | null;
  capability: string | null;
  dependsOn: string[];
  executionId: string | null;
  output: Record<string, unknown> | null;
  error: Record<string, unknown> | null;
  startedAt: Date | null;
  completedAt: Date | null;
}

export interface PlanUsage {
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
  /** Decimal string. */
  costUsd: string;
}

export interface PlanDetails {
  id: string;
  projectId: string | null;
  title: string;
  description: string | null;
  input: Record<string, unknown>;
  status: PlanStatus;
  failurePolicy: FailurePolicy;
  progress: Record<TaskStatus | 'total', number>;
  usage: PlanUsage;
  tasks: PlanTaskDetails[];
  createdAt: Date;
  completedAt: Date | null;
}

const INSERT_PLAN_SQL = `
INSERT INTO plans (tenant_id, project_id, title, description, input, failure_policy,
                   idempotency_key, api_key_id, end_user, tags, metadata)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
ON CONFLICT (tenant_id, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
RETURNING id`;

const PLAN_BY_IDEMPOTENCY_KEY_SQL = `SELECT id FROM plans WHERE idempotency_key = $1`;

const INSERT_TASKS_SQL = `
INSERT INTO plan_tasks (plan_id, key, tenant_id, position, title, agent_id, capability, input,
                        depends_on, priority, max_attempts, timeout_ms, save_output_as)
SELECT $1, r.key, $2, r.position, r.title, r.agent_id, r.capability, r.input,
       ARRAY(SELECT jsonb_array_elements_text(r.depends_on)), r.priority, r.max_attempts,
       r.timeout_ms, r.save_output_as
  FROM jsonb_to_recordset($3::jsonb) AS r(key text, position integer, title text, agent_id uuid,
       capability text, input jsonb, depends_on jsonb, priority smallint, max_attempts integer,
       timeout_ms integer, save_output_as jsonb)`;

const COMPLETE_PLAN_SQL = `
WITH done AS (
  UPDATE plans SET status = $2, completed_at = now() WHERE id = $1 AND status = 'running'
  RETURNING id, tenant_id, project_id, title, status, completed_at
),
${webhookOutboxCte({
  name: 'outbox',
  from: 'done',
  eventType: `'plan.completed'`,
  payload: `jsonb_build_object('id', done.id, 'projectId', done.project_id, 'title', done.title,
                            'status', done.status, 'completedAt', done.completed_at)`,
})}
SELECT id FROM done`;

const PLANS_SQL = `
SELECT id, project_id, title, description, input, status, failure_policy, created_at,
       completed_at
  FROM plans WHERE id = ANY($1::uuid[])`;

const TASKS_SQL = `
SELECT plan_id, key, title, status AS task_status, agent_id, capability, depends_on, execution_id,
       error AS task_error, completed_at AS task_completed_at
  FROM plan_tasks
 WHERE plan_id = ANY($1::uuid[])
 ORDER BY plan_id, position`;

/** A task execution's outcome as plan reads show it (libs/executions reads it). */
export interface TaskExecutionOutcome {
  id: string;
  status: TaskStatus;
  output: Record<string, unknown> | null;
  error: Record<string, unknown> | null;
  started_at: Date | null;
  completed_at: Date | null;
}

/** Token and cost sums of the executions given under one key. */
export interface TaskExecutionUsage {
  key: string;
  prompt_tokens: string;
  completion_tokens: string;
  cost_usd: string;
}

/**
 * The reads of task executions that plan views need. libs/executions owns agent_executions and
 * implements this (`planExecutionReads`); it is passed in because that lib depends on this one.
 */
export interface PlanExecutionReads {
  outcomes(manager: EntityManager, ids: readonly string[]): Promise<TaskExecutionOutcome[]>;
  usage(
    manager: EntityManager,
    executions: readonly { key: string; executionId: string }[],
  ): Promise<TaskExecutionUsage[]>;
}

interface PlanRow {
  id: string;
  project_id: string | null;
  title: string;
  description: string | null;
  input: Record<string, unknown>;
  status: PlanStatus;
  failure_policy: FailurePolicy;
  created_at: Date;
  completed_at: Date | null;
}

interface TaskRow {
  plan_id: string;
  key: string;
  title: string | null;
  task_status: TaskStatus;
  agent_id: string | null;
  capability: string | null;
  depends_on: string[];
  execution_id: string | null;
  task_error: Record<string, unknown> | null;
  task_completed_at: Date | null;
}

interface UsageRow {
  prompt_tokens: string;
  completion_tokens: string;
  cost_usd: string;
}

// The sums of a usage query as the API shows them; no row means nothing used.
function planUsage(row: UsageRow | undefined): PlanUsage {
  const promptTokens = Number(row?.prompt_tokens ?? 0);
  const completionTokens = Number(row?.completion_tokens ?? 0);
  return {
    promptTokens,
    completionTokens,
    totalTokens: promptTokens + completionTokens,
    costUsd: row?.cost_usd ?? '0',
  };
}

/**
 * Writes a plan and its tasks (all `pending`) in the caller's tenant transaction. Returns the
 * plan's id and whether it is new (false: the idempotency key named an earlier plan).
 */
export async function insertPlan(
  manager: EntityManager,
  plan: NewPlan,
): Promise<{ id: string; created: boolean }> {
  const [row] = (await manager.query(INSERT_PLAN_SQL, [
    plan.tenantId,
    plan.projectId,
    plan.title,
    plan.description,
    plan.input,
    plan.failurePolicy,
    plan.idempotencyKey,
    plan.attribution?.apiKeyId ?? null,
    plan.attribution?.user ?? null,
    plan.attribution?.tags ?? null,
    plan.attribution?.metadata ?? null,
  ])) as { id: string }[];
  if (!row) {
    const [existing] = (await manager.query(PLAN_BY_IDEMPOTENCY_KEY_SQL, [
      plan.idempotencyKey,
    ])) as { id: string }[];
    return { id: existing.id, created: false };
  }
  const tasks = plan.tasks.map((task, position) => ({
    key: task.key,
    position,
    title: task.title ?? null,
    agent_id: task.agentId ?? null,
    capability: task.agentId ? null : (task.capability ?? null),
    input: task.input,
    depends_on: [...new Set(task.dependsOn ?? [])],
    priority: task.priority ?? 5,
    max_attempts: task.maxAttempts ?? 3,
    timeout_ms: task.timeoutMs ?? null,
    save_output_as: task.saveOutputAs ?? null,
  }));
  await manager.query(INSERT_TASKS_SQL, [row.id, plan.tenantId, JSON.stringify(tasks)]);
  return { id: row.id, created: true };
}

/** Ends a running plan (and writes its `plan.completed` webhook deliveries); false if it had ended. */
export async function completePlan(
  manager: EntityManager,
  planId: string,
  status: Exclude<PlanStatus, 'running'>,
): Promise<boolean> {
  const rows = (await manager.query(COMPLETE_PLAN_SQL, [planId, status])) as unknown[];
  return rows.length > 0;
}

const SKIP_PENDING_TASKS_SQL = `
UPDATE plan_tasks SET status = 'skipped', completed_at = now()
 WHERE plan_id = $1 AND status = 'pending'`;

const ACTIVE_TASK_EXECUTIONS_SQL = `
SELECT execution_id FROM plan_tasks
 WHERE plan_id = $1 AND status = 'queued' AND execution_id IS NOT NULL`;

const PLAN_STATUS_SQL = `SELECT status FROM plans WHERE id = $1`;

export type PlanCancellation =
  | { kind: 'cancelled'; activeExecutionIds: string[] }
  | { kind: 'not_found' }
  | { kind: 'already_ended'; status: PlanStatus };

/**
 * Ends a running plan `cancelled` in the caller's transaction: pending tasks are skipped, and
 * the executions of its queued and running tasks are returned for the caller to cancel.
 */
export async function cancelPlan(
  manager: EntityManager,
  planId: string,
): Promise<PlanCancellation> {
  if (!(await completePlan(manager, planId, 'cancelled'))) {
    const [plan] = (await manager.query(PLAN_STATUS_SQL, [planId])) as { status: PlanStatus }[];
    return plan ? { kind: 'already_ended', status: plan.status } : { kind: 'not_found' };
  }
  await manager.query(SKIP_PENDING_TASKS_SQL, [planId]);
  const rows: { execution_id: string }[] = await manager.query(ACTIVE_TASK_EXECUTIONS_SQL, [
    planId,
  ]);
  return { kind: 'cancelled', activeExecutionIds: rows.map((row) => row.execution_id) };
}

// Locks the agent row first: a plan advance assigning a task to the agent inserts an execution
// (its foreign key takes a KEY SHARE lock on the agent), so it waits for, or is seen by, this.
const PLANS_WAITING_ON_AGENT_SQL = `
WITH agent AS (SELECT id FROM agents WHERE id = $1 FOR UPDATE)
SELECT DISTINCT t.plan_id FROM plan_tasks t JOIN agent ON agent.id = t.agent_id
 WHERE t.status IN ('pending', 'queued', 'running')
 ORDER BY t.plan_id`;

/**
 * The plans with a task not yet ended that is assigned to the agent (named, or given to it by
 * capability), in the caller's transaction, the agent row locked: deleting the agent would take
 * the task's execution with it and leave the plan waiting forever.
 */
export async function plansWaitingOnAgent(
  manager: EntityManager,
  agentId: string,
): Promise<string[]> {
  const rows: { plan_id: string }[] = await manager.query(PLANS_WAITING_ON_AGENT_SQL, [agentId]);
  return rows.map((row) => row.plan_id);
}

/** Plans as the API shows them, in the order of `ids`; unknown ids are left out. */
export async function readPlans(
  manager: EntityManager,
  ids: readonly string[],
  executions: PlanExecutionReads,
): Promise<PlanDetails[]> {
  if (ids.length === 0) return [];
  const plans: PlanRow[] = await manager.query(PLANS_SQL, [ids]);
  const tasks: TaskRow[] = await manager.query(TASKS_SQL, [ids]);
  const withExecution = tasks.filter((t) => t.execution_id !== null);
  const outcomes = new Map(
    (
      await executions.outcomes(
        manager,
        withExecution.map((t) => t.execution_id!),
      )
    ).map((o) => [o.id, o]),
  );
  const usage = await executions.usage(
    manager,
    withExecution.map((t) => ({ key: t.plan_id, executionId: t.execution_id! })),
  );
  const byId = new Map(plans.map((p) => [p.id as string, p]));
  return ids
    .filter((id) => byId.has(id))
    .map((id) => {
      const plan = byId.get(id)!;
      const planTasks = tasks
        .filter((t) => t.plan_id === id)
        .map((t) => toTaskDetails(t, t.execution_id ? outcomes.get(t.execution_id) : undefined));
      const progress = {
        total: planTasks.length,
        pending: 0,
        queued: 0,
        running: 0,
        succeeded: 0,
        failed: 0,
        cancelled: 0,
        skipped: 0,
      };
      for (const task of planTasks) progress[task.status] += 1;
      return {
        id,
        projectId: plan.project_id,
        title: plan.title,
        description: plan.description,
        input: plan.input,
        status: plan.status,
        failurePolicy: plan.failure_policy,
        progress,
        usage: planUsage(usage.find((u) => u.key === id)),
        tasks: planTasks,
        createdAt: plan.created_at,
        completedAt: plan.completed_at,
      };
    });
}

function toTaskDetails(row: TaskRow, execution: TaskExecutionOutcome | undefined): PlanTaskDetails {
  // A task with an execution shows its status (queued or running until it ends).
  const status: TaskStatus =
    row.task_status === 'queued' && execution ? execution.status : row.task_status;
  return {
    key: row.key,
    title: row.title,
    status,
    agentId: row.agent_id,
    capability: row.capability,
    dependsOn: row.depends_on,
    executionId: row.execution_id,
    output: execution?.output ?? null,
    error: execution?.error ?? row.task_error ?? null,
    startedAt: execution?.started_at ?? null,
    completedAt: execution?.completed_at ?? row.task_completed_at ?? null,
  };
}

const PROJECT_PLANS_SQL = `
SELECT p.project_id, count(DISTINCT p.id)::integer AS plans
  FROM plans p
 WHERE p.project_id = ANY($1::uuid[])
 GROUP BY p.project_id`;

const PROJECT_TASK_EXECUTIONS_SQL = `
SELECT p.project_id, t.execution_id
  FROM plans p JOIN plan_tasks t ON t.plan_id = p.id
 WHERE p.project_id = ANY($1::uuid[]) AND t.execution_id IS NOT NULL`;

/** A project's usage: the sum of its plans' task executions. */
export async function readProjectUsage(
  manager: EntityManager,
  projectIds: readonly string[],
  executions: PlanExecutionReads,
): Promise<Map<string, PlanUsage & { plans: number }>> {
  const usage = new Map<string, PlanUsage & { plans: number }>();
  if (projectIds.length === 0) return usage;
  const plans: { project_id: string; plans: number }[] = await manager.query(PROJECT_PLANS_SQL, [
    projectIds,
  ]);
  const taskExecutions: { project_id: string; execution_id: string }[] = await manager.query(
    PROJECT_TASK_EXECUTIONS_SQL,
    [projectIds],
  );
  const sums = await executions.usage(
    manager,
    taskExecutions.map((t) => ({ key: t.project_id, executionId: t.execution_id })),
  );
  for (const id of projectIds) {
    const row = plans.find((r) => r.project_id === id);
    usage.set(id, { plans: row?.plans ?? 0, ...planUsage(sums.find((u) => u.key === id)) });
  }
  return usage;
}

const PLANS_IN_RANGE_SQL = `
SELECT count(DISTINCT p.id)::integer AS plans, count(t.key)::integer AS tasks
  FROM plans p
  LEFT JOIN plan_tasks t ON t.plan_id = p.id
 WHERE p.created_at >= $1::date AND p.created_at < $2::date + 1`;

const TASK_EXECUTIONS_IN_RANGE_SQL = `
SELECT t.execution_id
  FROM plans p JOIN plan_tasks t ON t.plan_id = p.id
 WHERE p.created_at >= $1::date AND p.created_at < $2::date + 1 AND t.execution_id IS NOT NULL`;

/** Plans created in [from, to] (UTC days), their tasks, and the usage of their executions. */
export async function readPlansUsage(
  manager: EntityManager,
  from: string,
  to: string,
  executions: PlanExecutionReads,
): Promise<PlanUsage & { plans: number; tasks: number }> {
  const [row]: { plans: number; tasks: number }[] = await manager.query(PLANS_IN_RANGE_SQL, [
    from,
    to,
  ]);
  const taskExecutions: { execution_id: string }[] = await manager.query(
    TASK_EXECUTIONS_IN_RANGE_SQL,
    [from, to],
  );
  const [sums] = await executions.usage(
    manager,
    taskExecutions.map((t) => ({ key: '', executionId: t.execution_id })),
  );
  return { plans: row.plans, tasks: row.tasks, ...planUsage(sums) };
}

const TASK_OF_EXECUTION_SQL = `
SELECT plan_id, key FROM plan_tasks WHERE execution_id = $1 AND tenant_id = $2`;

/** The plan task an execution runs, or null when it belongs to no plan. */
export async function planTaskOfExecution(
  manager: EntityManager,
  tenantId: string,
  executionId: string,
): Promise<{ planId: string; key: string } | null> {
  const rows: { plan_id: string; key: string }[] = await manager.query(TASK_OF_EXECUTION_SQL, [
    executionId,
    tenantId,
  ]);
  return rows[0] ? { planId: rows[0].plan_id, key: rows[0].key } : null;
}
