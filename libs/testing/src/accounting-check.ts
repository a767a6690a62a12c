import { DataSource } from 'typeorm';

export interface AccountingDrift {
  /** Agents whose lifetime row differs from the sums over their terminal executions. */
  lifetime: unknown[];
  /** (agent, day, model) rows that differ from the sums over their terminal executions. */
  daily: unknown[];
  /**
   * usage_attribution_daily rows (tenant, day, agent, model, API key, end user, tag) that differ
   * from the sums over their terminal executions: the `tag = ''` rows count every execution once,
   * the others each execution once per tag it carries.
   */
  attribution: unknown[];
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
  const attribution = await dataSource.query(`
    WITH truth AS (
      SELECT e.tenant_id, (e.completed_at AT TIME ZONE 'UTC')::date AS day, e.agent_id,
             COALESCE(e.model, '') AS model, e.api_key_id, e.end_user, x.tag,
             count(*) AS executions, count(*) FILTER (WHERE e.status = 'succeeded') AS succeeded,
             count(*) FILTER (WHERE e.status = 'failed') AS failed,
             count(*) FILTER (WHERE e.status = 'cancelled') AS cancelled,
             sum(e.prompt_tokens) AS prompt_tokens,
             sum(e.completion_tokens) AS completion_tokens, sum(e.cost_usd) AS cost_usd,
             COALESCE(sum(e.duration_ms), 0) AS duration_ms
        FROM agent_executions e
        CROSS JOIN LATERAL unnest(array_prepend('', COALESCE(e.tags, '{}'))) AS x(tag)
       WHERE e.status IN ('succeeded', 'failed', 'cancelled')
       GROUP BY 1, 2, 3, 4, 5, 6, 7),
    -- A deleted agent's executions are gone with it; its usage rows are kept on purpose.
    kept AS (SELECT * FROM usage_attribution_daily WHERE agent_id IN (SELECT id FROM agents))
    SELECT t.*, u.*
      FROM truth t FULL JOIN kept u
        ON u.tenant_id = t.tenant_id AND u.day = t.day
       AND u.agent_id IS NOT DISTINCT FROM t.agent_id AND u.model = t.model
       AND u.api_key_id IS NOT DISTINCT FROM t.api_key_id
       AND u.end_user IS NOT DISTINCT FROM t.end_user AND u.tag = t.tag
     WHERE t.executions IS DISTINCT FROM u.executions
        OR t.succeeded IS DISTINCT FROM u.succeeded
        OR t.failed IS DISTINCT FROM u.failed
        OR t.cancelled IS DISTINCT FROM u.cancelled
        OR t.prompt_tokens IS DISTINCT FROM u.prompt_tokens
        OR t.completion_tokens IS DISTINCT FROM u.completion_tokens
        OR t.cost_usd IS DISTINCT FROM u.cost_usd
        OR t.duration_ms IS DISTINCT FROM u.total_duration_ms`);
  return { lifetime, daily, attribution };
}

/**
 * Executions with recorded steps whose usage differs from the sum of their model steps (every
 * provider call counted once, failed attempts included). Empty when the invariant holds.
 */
export function findStepUsageDrift(dataSource: DataSource): Promise<unknown[]> {
  return dataSource.query(`
    SELECT e.id, e.status, e.prompt_tokens, e.completion_tokens, e.cost_usd, s.*
      FROM agent_executions e
      JOIN (SELECT execution_id, sum(prompt_tokens) AS step_prompt_tokens,
                   sum(completion_tokens) AS step_completion_tokens, sum(cost_usd) AS step_cost_usd
              FROM execution_steps WHERE type = 'model' GROUP BY execution_id) s
        ON s.execution_id = e.id
     WHERE e.prompt_tokens <> s.step_prompt_tokens
        OR e.completion_tokens <> s.step_completion_tokens
        OR e.cost_usd <> s.step_cost_usd`);
}
