import { DataSource } from 'typeorm';

export interface AccountingDrift {
  /** Agents whose lifetime row differs from the sums over their terminal executions. */
  lifetime: unknown[];
  /** (agent, day, model) rows that differ from the sums over their terminal executions. */
  daily: unknown[];
}

/**
 * The accounting invariant: the rollups equal the aggregates of the execution rows they
 * summarise, to the token and to the nano-dollar. Both lists are empty when it holds.
 */
export async function findAccountingDrift(dataSource: DataSource): Promise<AccountingDrift> {
  const lifetime = await dataSource.query(`
    WITH truth AS (
      SELECT agent_id, count(*) AS executions,
             count(*) FILTER (WHERE status = 'succeeded') AS succeeded,
             count(*) FILTER (WHERE status = 'failed') AS failed,
             count(*) FILTER (WHERE status = 'cancelled') AS cancelled,
             sum(prompt_tokens) AS prompt_tokens, sum(completion_tokens) AS completion_tokens,
             sum(cost_usd) AS cost_usd, COALESCE(sum(duration_ms), 0) AS duration_ms
        FROM agent_executions WHERE status IN ('succeeded', 'failed', 'cancelled')
       GROUP BY agent_id)
    SELECT COALESCE(t.agent_id, s.agent_id) AS agent_id, t.*, s.*
      FROM truth t FULL JOIN agent_usage_stats s ON s.agent_id = t.agent_id
     WHERE t.executions IS DISTINCT FROM s.total_executions
        OR t.succeeded IS DISTINCT FROM s.successful_executions
        OR t.failed IS DISTINCT FROM s.failed_executions
        OR t.cancelled IS DISTINCT FROM s.cancelled_executions
        OR t.prompt_tokens IS DISTINCT FROM s.prompt_tokens
        OR t.completion_tokens IS DISTINCT FROM s.completion_tokens
        OR t.cost_usd IS DISTINCT FROM s.total_cost_usd
        OR t.duration_ms IS DISTINCT FROM s.total_duration_ms`);
  const daily = await dataSource.query(`
    WITH truth AS (
      SELECT agent_id, (completed_at AT TIME ZONE 'UTC')::date AS day, COALESCE(model, '') AS model,
             count(*) AS executions, sum(prompt_tokens) AS prompt_tokens,
             sum(completion_tokens) AS completion_tokens, sum(cost_usd) AS cost_usd
        FROM agent_executions WHERE status IN ('succeeded', 'failed', 'cancelled')
       GROUP BY 1, 2, 3)
    SELECT t.*, d.*
      -- A deleted agent's executions are gone with it; its usage rows are kept on purpose.
      FROM truth t FULL JOIN (SELECT * FROM agent_usage_daily WHERE agent_id IS NOT NULL) d
        ON d.agent_id = t.agent_id AND d.day = t.day AND d.model = t.model
     WHERE t.executions IS DISTINCT FROM d.executions
        OR t.prompt_tokens IS DISTINCT FROM d.prompt_tokens
        OR t.completion_tokens IS DISTINCT FROM d.completion_tokens
        OR t.cost_usd IS DISTINCT FROM d.cost_usd`);
  return { lifetime, daily };
}

/**
 * Executions with recorded steps whose usage differs from the sum of their model steps (every
 * provider call counted once, failed attempts included; a rerun's reused steps not charged). Empty when the invariant holds.
 */
export function findStepUsageDrift(dataSource: DataSource): Promise<unknown[]> {
  return dataSource.query(`
    SELECT e.id, e.status, e.prompt_tokens, e.completion_tokens, e.cost_usd, s.*
      FROM agent_executions e
      JOIN (SELECT execution_id, sum(prompt_tokens) AS step_prompt_tokens,
                   sum(completion_tokens) AS step_completion_tokens, sum(cost_usd) AS step_cost_usd
              FROM execution_steps WHERE type = 'model' AND NOT reused
             GROUP BY execution_id) s
        ON s.execution_id = e.id
     WHERE e.prompt_tokens <> s.step_prompt_tokens
        OR e.completion_tokens <> s.step_completion_tokens
        OR e.cost_usd <> s.step_cost_usd`);
}
