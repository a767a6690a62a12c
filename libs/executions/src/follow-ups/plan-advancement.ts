import {
  completePlan,
  lockPlansToAdvance,
  markTasksEnded,
  markTasksQueued,
  nextPlanStep,
  PlanTaskRow,
  PlanToAdvance,
  readTasksOfPlans,
  renderTaskInput,
} from '@agentq/plans';
import { randomUUID } from 'node:crypto';
import { EntityManager } from 'typeorm';
import { QueuedExecution } from '../lifecycle/execution-producer.service';
import { queuedExecution } from '../lifecycle/queued-execution';
import { ExecutionRecord, insertExecutionRecords } from '../store/submission-store';
import { RecordedTransition } from '../store/terminal-outcome';

/**
 * What a plan advance leaves for after the commit: the jobs of the task executions it created,
 * and the executions fail_fast cancelled, whose jobs must then be stopped (ExecutionAborter).
 */
export interface PlanAdvanceSink {
  jobs: QueuedExecution[];
  cancelled: RecordedTransition[];
}

export function emptyPlanAdvanceSink(): PlanAdvanceSink {
  return { jobs: [], cancelled: [] };
}

// The answers of the tasks a ready task depends on, by their executions.
const OUTPUTS_SQL = `
SELECT id, output->>'text' AS text FROM agent_executions WHERE id = ANY($1::uuid[])`;

// The active agents with the capability and their load (queued and running executions).
const AGENTS_FOR_CAPABILITY_SQL = `
SELECT a.id, (SELECT count(*) FROM agent_executions e
               WHERE e.agent_id = a.id AND e.status IN ('queued', 'running', 'requires_action'))::int AS load
  FROM agents a
 WHERE a.status = 'active' AND a.capabilities @> ARRAY[$1::text]`;

// The active executions of a failed plan, waiting for rows another transaction holds: a claim
// or a step commit holding one does not end it, so skipping it would leave it running after
// the plan failed. A row that commits terminal meanwhile drops out when the lock is granted. Two
// group commits that each hold a task the other's plan cancels deadlock; PostgreSQL aborts one
// and withTransactionRetry runs it again.
const LOCK_ACTIVE_EXECUTIONS_SQL = `
SELECT id FROM agent_executions
 WHERE id = ANY($1::uuid[]) AND status IN ('queued', 'running', 'requires_action')
 ORDER BY id FOR UPDATE`;

/** Cancels executions inside the caller's transaction (recordTerminalOutcomes, for fail_fast). */
export type CancelExecutions = (executionIds: string[]) => Promise<void>;

/**
 * Moves plans on, inside the transaction that recorded their tasks' terminal outcomes (or that
 * created them), with the tenant set. Each plan row is locked first, so two transactions that
 * finish the last two dependencies of a fan-in are serialized and only the second sees both
 * succeeded: a task's execution is created once, here, with its placeholders filled.
 */
export async function advancePlans(
  manager: EntityManager,
  planIds: readonly string[],
  sink: PlanAdvanceSink,
  cancelExecutions: CancelExecutions,
): Promise<void> {
  if (planIds.length === 0) return;
  const plans = await lockPlansToAdvance(manager, planIds);
  const tasks = await readTasksOfPlans(
    manager,
    plans.map((p) => p.id),
  );
  for (const plan of plans) {
    await advancePlan(
      manager,
      plan,
      tasks.filter((t) => t.plan_id === plan.id),
      sink,
      cancelExecutions,
    );
  }
}

async function advancePlan(
  manager: EntityManager,
  plan: PlanToAdvance,
  tasks: PlanTaskRow[],
  sink: PlanAdvanceSink,
  cancelExecutions: CancelExecutions,
): Promise<void> {
  // A ready task that cannot start (no agent for it any more) fails at once: step again.
  for (let round = 0; round < tasks.length + 1; round += 1) {
    const step = nextPlanStep(
      { status: plan.status, failurePolicy: plan.failure_policy },
      tasks.map((t) => ({ key: t.key, status: t.status, dependsOn: t.depends_on })),
    );
    if (step.skip.length > 0) {
      await markTasksEnded(manager, plan.id, step.skip, 'skipped', null);
      for (const task of tasks) if (step.skip.includes(task.key)) task.status = 'skipped';
    }
    if (step.status !== plan.status && step.status !== 'running') {
      await completePlan(manager, plan.id, step.status);
      plan.status = step.status;
    }
    if (step.cancel.length > 0) {
      const ids = tasks
        .filter((t) => step.cancel.includes(t.key) && t.execution_id)
        .map((t) => t.execution_id!);
      const locked: { id: string }[] = await manager.query(LOCK_ACTIVE_EXECUTIONS_SQL, [ids]);
      if (locked.length > 0) await cancelExecutions(locked.map((row) => row.id));
    }
    if (step.ready.length === 0) return;
    const failed = await startTasks(
      manager,
      plan,
      tasks,
      tasks.filter((t) => step.ready.includes(t.key)),
      sink,
    );
    if (failed.length === 0) return;
    for (const task of tasks) if (failed.includes(task.key)) task.status = 'failed';
  }
}

// Creates the executions of ready tasks; returns the keys of those that found no agent.
async function startTasks(
  manager: EntityManager,
  plan: PlanToAdvance,
  tasks: readonly PlanTaskRow[],
  ready: PlanTaskRow[],
  sink: PlanAdvanceSink,
): Promise<string[]> {
  const dependencies = new Set(ready.flatMap((t) => t.depends_on));
  const outputs = new Map<string, string>();
  const keyOfExecution = new Map(
    tasks
      .filter((t) => dependencies.has(t.key) && t.execution_id)
      .map((t) => [t.execution_id!, t.key]),
  );
  if (keyOfExecution.size > 0) {
    const rows: { id: string; text: string | null }[] = await manager.query(OUTPUTS_SQL, [
      [...keyOfExecution.keys()],
    ]);
    for (const row of rows) outputs.set(keyOfExecution.get(row.id)!, row.text ?? '');
  }
  const records: (ExecutionRecord & { key: string })[] = [];
  const unassigned: string[] = [];
  // Loads per capability, read once and counted up as this step assigns tasks.
  const candidates = new Map<string, { id: string; load: number }[]>();
  for (const task of ready) {
    let agentId = task.agent_id;
    if (!agentId && task.capability) {
      if (!candidates.has(task.capability)) {
        candidates.set(
          task.capability,
          await manager.query(AGENTS_FOR_CAPABILITY_SQL, [task.capability]),
        );
      }
      const agent = leastLoaded(candidates.get(task.capability)!);
      if (agent) {
        agent.load += 1;
        agentId = agent.id;
      }
    }
    if (!agentId) {
      unassigned.push(task.key);
      continue;
    }
    records.push({
      id: randomUUID(),
      key: task.key,
      agent_id: agentId,
      priority: task.priority,
      session_id: null,
      input: renderTaskInput(task.input, plan.input, outputs),
      max_attempts: task.max_attempts,
      timeout_ms: task.timeout_ms,
      run_at: null,
      idempotency_key: `plan:${plan.id}:${task.key}`,
      handoff_to_agent_id: null,
      store_output_as_memory: false,
      save_output_as: task.save_output_as,
      // Every task runs with the plan's attribution.
      api_key_id: plan.api_key_id,
      end_user: plan.end_user,
      tags: plan.tags,
      metadata: plan.metadata,
    });
  }
  const inserted = new Set<string>();
  if (records.length > 0) {
    // The `key` each record carries is not a column; the statement ignores it.
    for (const row of await insertExecutionRecords(manager, records))
      inserted.add(row.id as string);
  }
  const started = records.filter((r) => inserted.has(r.id));
  await markTasksQueued(
    manager,
    plan.id,
    started.map((r) => ({ key: r.key, executionId: r.id, agentId: r.agent_id })),
  );
  for (const record of started) {
    const task = ready.find((t) => t.key === record.key)!;
    task.status = 'queued';
    task.execution_id = record.id;
    sink.jobs.push(
      queuedExecution(
        {
          id: record.id,
          tenantId: plan.tenant_id,
          agentId: record.agent_id,
          priority: task.priority,
          runAt: null,
          attempts: 0,
          maxAttempts: task.max_attempts,
        },
        true,
      ),
    );
  }
  // No agent, or the agent is no longer active: the task fails without an execution.
  const failed = [...unassigned, ...records.filter((r) => !inserted.has(r.id)).map((r) => r.key)];
  if (failed.length > 0) {
    await markTasksEnded(manager, plan.id, failed, 'failed', {
      code: 'no_agent',
      message: 'no active agent could take the task',
    });
  }
  return failed;
}

function leastLoaded(agents: { id: string; load: number }[]) {
  let best: { id: string; load: number } | undefined;
  for (const agent of agents) {
    if (!best || agent.load < best.load || (agent.load === best.load && agent.id < best.id)) {
      best = agent;
    }
  }
  return best;
}
