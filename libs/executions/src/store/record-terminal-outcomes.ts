import { queryPrepared, setTransactionTenant } from '@agentq/database';
import { EntityManager } from 'typeorm';
import { groupSorted } from '../batching/group-sorted';
import {
  advancePlans,
  emptyPlanAdvanceSink,
  PlanAdvanceSink,
} from '../follow-ups/plan-advancement';
import { cancelledOutcome, RecordedTransition, TerminalOutcome } from './terminal-outcome';
import { PLAN_TASK_OUTCOME_CTE, WEBHOOK_OUTBOX_CTE } from './transition-hooks';

// One statement does the whole accounting step for a batch of outcomes. An outcome's usage adds
// to what the row already holds: the committed model steps of a tool loop (see execution-steps).
//
// the conditional UPDATE lets each execution reach a terminal state once, and only the rows
// it actually moved (`won`) are added to the daily and lifetime rollups. Upserts are grouped
// and ordered by agent so concurrent batches lock rollup rows in the same order.
const RECORD_TERMINAL_OUTCOMES_SQL = `
WITH outcome AS (
  SELECT * FROM jsonb_to_recordset($1::jsonb) AS o(
    id uuid, status text, output jsonb, error jsonb, model text,
    prompt_tokens integer, completion_tokens integer, cost_usd numeric, duration_ms integer)
),
won AS (
  UPDATE agent_executions e
     SET status = o.status,
         output = o.output,
         error = o.error,
         model = COALESCE(o.model, e.model),
         prompt_tokens = e.prompt_tokens + o.prompt_tokens,
         completion_tokens = e.completion_tokens + o.completion_tokens,
         cost_usd = e.cost_usd + o.cost_usd,
         required_action = NULL,
         action_deadline = NULL,
         duration_ms = o.duration_ms,
         completed_at = now()
    FROM outcome o
   WHERE e.id = o.id AND e.status IN ('queued', 'running', 'requires_action')
  RETURNING e.id, e.tenant_id, e.agent_id, e.session_id, e.status, e.model, e.prompt_tokens,
            e.completion_tokens, e.cost_usd, e.duration_ms, e.completed_at, e.error, e.attempts,
            e.stream, e.api_key_id, e.end_user, e.tags
),
daily AS (
  INSERT INTO agent_usage_daily AS d (agent_id, day, model, tenant_id, executions, succeeded,
    failed, cancelled, prompt_tokens, completion_tokens, total_tokens, cost_usd,
    total_duration_ms, timed_executions)
  SELECT agent_id, (completed_at AT TIME ZONE 'UTC')::date, COALESCE(model, ''), tenant_id,
         count(*),
         count(*) FILTER (WHERE status = 'succeeded'),
         count(*) FILTER (WHERE status = 'failed'),
         count(*) FILTER (WHERE status = 'cancelled'),
         sum(prompt_tokens), sum(completion_tokens), sum(prompt_tokens + completion_tokens),
         sum(cost_usd), COALESCE(sum(duration_ms), 0), count(duration_ms)
    FROM won
   GROUP BY 1, 2, 3, 4
   ORDER BY 1, 2, 3
  ON CONFLICT (agent_id, day, model) DO UPDATE SET
    executions = d.executions + EXCLUDED.executions,
    succeeded = d.succeeded + EXCLUDED.succeeded,
    failed = d.failed + EXCLUDED.failed,
    cancelled = d.cancelled + EXCLUDED.cancelled,
    prompt_tokens = d.prompt_tokens + EXCLUDED.prompt_tokens,
    completion_tokens = d.completion_tokens + EXCLUDED.completion_tokens,
    total_tokens = d.total_tokens + EXCLUDED.total_tokens,
    cost_usd = d.cost_usd + EXCLUDED.cost_usd,
    total_duration_ms = d.total_duration_ms + EXCLUDED.total_duration_ms,
    timed_executions = d.timed_executions + EXCLUDED.timed_executions
),
stats AS (
  INSERT INTO agent_usage_stats AS s (agent_id, tenant_id, total_executions,
    successful_executions, failed_executions, cancelled_executions, prompt_tokens,
    completion_tokens, total_tokens, total_cost_usd, total_duration_ms, timed_executions,
    last_executed_at)
  SELECT agent_id, tenant_id, count(*),
         count(*) FILTER (WHERE status = 'succeeded'),
         count(*) FILTER (WHERE status = 'failed'),
         count(*) FILTER (WHERE status = 'cancelled'),
         sum(prompt_tokens), sum(completion_tokens), sum(prompt_tokens + completion_tokens),
         sum(cost_usd), COALESCE(sum(duration_ms), 0), count(duration_ms), max(completed_at)
    FROM won
   GROUP BY agent_id, tenant_id
   ORDER BY agent_id
  ON CONFLICT (agent_id) DO UPDATE SET
    total_executions = s.total_executions + EXCLUDED.total_executions,
    successful_executions = s.successful_executions + EXCLUDED.successful_executions,
    failed_executions = s.failed_executions + EXCLUDED.failed_executions,
    cancelled_executions = s.cancelled_executions + EXCLUDED.cancelled_executions,
    prompt_tokens = s.prompt_tokens + EXCLUDED.prompt_tokens,
    completion_tokens = s.completion_tokens + EXCLUDED.completion_tokens,
    total_tokens = s.total_tokens + EXCLUDED.total_tokens,
    total_cost_usd = s.total_cost_usd + EXCLUDED.total_cost_usd,
    total_duration_ms = s.total_duration_ms + EXCLUDED.total_duration_ms,
    timed_executions = s.timed_executions + EXCLUDED.timed_executions,
    last_executed_at = GREATEST(s.last_executed_at, EXCLUDED.last_executed_at)
),
attribution_daily AS (
  -- Usage by who ran it: one tag = '' row per execution, plus one row per tag it carries.
  INSERT INTO usage_attribution_daily AS u (tenant_id, day, agent_id, model, api_key_id,
    end_user, tag, executions, succeeded, failed, cancelled, prompt_tokens, completion_tokens,
    cost_usd, total_duration_ms, timed_executions)
  SELECT tenant_id, (completed_at AT TIME ZONE 'UTC')::date, agent_id, COALESCE(model, ''),
         api_key_id, end_user, x.tag, count(*),
         count(*) FILTER (WHERE status = 'succeeded'),
         count(*) FILTER (WHERE status = 'failed'),
         count(*) FILTER (WHERE status = 'cancelled'),
         sum(prompt_tokens), sum(completion_tokens), sum(cost_usd), COALESCE(sum(duration_ms), 0),
         count(duration_ms)
    FROM won CROSS JOIN LATERAL unnest(array_prepend('', COALESCE(won.tags, '{}'))) AS x(tag)
   GROUP BY 1, 2, 3, 4, 5, 6, 7
   ORDER BY 2, 3, 4, 5, 6, 7
  ON CONFLICT ON CONSTRAINT usage_attribution_daily_key DO UPDATE SET
    executions = u.executions + EXCLUDED.executions,
    succeeded = u.succeeded + EXCLUDED.succeeded,
    failed = u.failed + EXCLUDED.failed,
    cancelled = u.cancelled + EXCLUDED.cancelled,
    prompt_tokens = u.prompt_tokens + EXCLUDED.prompt_tokens,
    completion_tokens = u.completion_tokens + EXCLUDED.completion_tokens,
    cost_usd = u.cost_usd + EXCLUDED.cost_usd,
    total_duration_ms = u.total_duration_ms + EXCLUDED.total_duration_ms,
    timed_executions = u.timed_executions + EXCLUDED.timed_executions
),
${PLAN_TASK_OUTCOME_CTE},${WEBHOOK_OUTBOX_CTE}
SELECT won.id, won.tenant_id, won.agent_id, won.session_id, won.status, won.completed_at,
       won.attempts, won.stream, plan_task.plan_id
  FROM won LEFT JOIN plan_task ON plan_task.execution_id = won.id`;

interface WonRow {
  id: string;
  tenant_id: string;
  agent_id: string;
  session_id: string | null;
  status: RecordedTransition['status'];
  completed_at: Date;
  attempts: number;
  stream: boolean;
  plan_id: string | null;
}

/**
 * Records outcomes; returns only the transitions this call won (others were already terminal).
 * A batch may mix tenants: in one transaction, the statement runs once per tenant with that
 * tenant set (row-level security), tenants in a fixed order so concurrent batches lock rollup
 * rows in the same order. Without a transaction, it opens one.
 */
export async function recordTerminalOutcomes(
  manager: EntityManager,
  outcomes: readonly TerminalOutcome[],
  planSink: PlanAdvanceSink = emptyPlanAdvanceSink(),
): Promise<RecordedTransition[]> {
  if (outcomes.length === 0) return [];
  if (!manager.queryRunner?.isTransactionActive) {
    return manager.transaction((tx) => recordTerminalOutcomes(tx, outcomes, planSink));
  }
  const won: RecordedTransition[] = [];
  for (const [tenantId, group] of groupSorted(outcomes, (outcome) => outcome.tenantId)) {
    await setTransactionTenant(manager, tenantId);
    won.push(...(await recordAndAdvance(manager, tenantId, group, planSink)));
  }
  return won;
}

// Plan tasks among the transitions won move their plans on in the same transaction: a crash
// after the commit cannot lose the next tasks (their rows are committed `queued`; the jobs in
// the sink are enqueued after the commit, or by the reconciler). Executions fail_fast cancels
// are left in the sink too: the caller stops their jobs after the commit.
async function recordAndAdvance(
  manager: EntityManager,
  tenantId: string,
  outcomes: readonly TerminalOutcome[],
  planSink: PlanAdvanceSink,
): Promise<RecordedTransition[]> {
  const { won, planIds } = await recordForTenant(manager, outcomes);
  if (planIds.length > 0) {
    await advancePlans(manager, planIds, planSink, async (executionIds) => {
      const cancelled = await recordAndAdvance(
        manager,
        tenantId,
        executionIds.map((id) => cancelledOutcome(id, tenantId)),
        planSink,
      );
      planSink.cancelled.push(...cancelled);
    });
  }
  return won;
}

async function recordForTenant(
  manager: EntityManager,
  outcomes: readonly TerminalOutcome[],
): Promise<{ won: RecordedTransition[]; planIds: string[] }> {
  const payload = outcomes.map((o) => ({
    id: o.executionId,
    status: o.status,
    output: o.output,
    error: o.error,
    model: o.model,
    prompt_tokens: o.promptTokens,
    completion_tokens: o.completionTokens,
    cost_usd: o.costUsd,
    duration_ms: o.durationMs,
  }));
  const rows = await queryPrepared<WonRow>(
    manager,
    'agentq_record_terminal_outcomes',
    RECORD_TERMINAL_OUTCOMES_SQL,
    [JSON.stringify(payload)],
  );
  const won = rows.map((row) => ({
    executionId: row.id,
    tenantId: row.tenant_id,
    agentId: row.agent_id,
    sessionId: row.session_id,
    status: row.status,
    attempts: row.attempts,
    stream: row.stream,
    completedAt: row.completed_at,
  }));
  const planIds = [...new Set(rows.map((row) => row.plan_id).filter((id) => id !== null))];
  return { won, planIds };
}
