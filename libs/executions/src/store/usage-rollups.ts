import { EntityManager } from 'typeorm';

// Reads of the usage rollups (agent_usage_daily, agent_usage_stats), which the terminal
// transition writes: the API's stats and usage reports and the worker's spend guard read
// them through these, in the caller's tenant transaction.

type Sql = Pick<EntityManager, 'query'>;

const LIFETIME_SQL = `SELECT * FROM agent_usage_stats WHERE agent_id = $1`;

const PERIODS_SQL = `
SELECT
  COALESCE(sum(executions) FILTER (WHERE day = today), 0) AS today,
  COALESCE(sum(executions) FILTER (WHERE day >= date_trunc('week', today)::date), 0) AS week,
  COALESCE(sum(executions) FILTER (WHERE day >= date_trunc('month', today)::date), 0) AS month
  FROM agent_usage_daily, (SELECT (now() AT TIME ZONE 'UTC')::date AS today) t
 WHERE agent_id = $1 AND day >= date_trunc('month', today)::date - 7`;

/** An agent_usage_stats row as pg returns it (bigint counters as strings). */
export interface AgentUsageStatsRow {
  total_executions: string | number;
  successful_executions: string | number;
  failed_executions: string | number;
  cancelled_executions: string | number;
  prompt_tokens: string | number;
  completion_tokens: string | number;
  total_tokens: string | number;
  total_cost_usd: string;
  timed_executions: string | number;
  total_duration_ms: string | number;
  last_executed_at: Date | null;
}

/** An agent's lifetime row (undefined before its first execution ends) and its recent counts. */
export async function readAgentUsage(
  sql: Sql,
  agentId: string,
): Promise<{
  lifetime: AgentUsageStatsRow | undefined;
  periods: { today: string | number; week: string | number; month: string | number };
}> {
  // One after another: a transaction is one connection, and pg runs one query at a time on it.
  const [lifetime] = await sql.query(LIFETIME_SQL, [agentId]);
  const [periods] = await sql.query(PERIODS_SQL, [agentId]);
  return { lifetime, periods };
}

/** A grouping of the usage report: the rollup column and the field it is reported as. */
export interface UsageGrouping {
  column: 'agent_id' | "to_char(day, 'YYYY-MM-DD')" | 'model';
  field: string;
}

/** The tenant's daily rollups over [from, to] (UTC days), summed per grouping. */
export function readUsageRollups(
  sql: Sql,
  tenantId: string,
  from: string,
  to: string,
  groupings: readonly UsageGrouping[],
): Promise<Record<string, string>[]> {
  const select = groupings.map((d) => `${d.column} AS "${d.field}"`);
  const positions = groupings.map((_, i) => i + 1).join(', ');
  return sql.query(
    `SELECT ${[...select, ''].join(', ')}
              sum(executions) AS executions, sum(succeeded) AS succeeded, sum(failed) AS failed,
              sum(cancelled) AS cancelled, sum(prompt_tokens) AS "promptTokens",
              sum(completion_tokens) AS "completionTokens", sum(total_tokens) AS "totalTokens",
              sum(cost_usd) AS "costUsd",
              round(sum(total_duration_ms)::numeric / NULLIF(sum(timed_executions), 0)) AS "avgDurationMs"
         FROM agent_usage_daily
        WHERE tenant_id = $1 AND day BETWEEN $2::date AND $3::date
        GROUP BY ${positions}
        ORDER BY ${positions}`,
    [tenantId, from, to],
  );
}

/** A grouping of the attribution usage report (usage_attribution_daily's columns). */
export interface AttributionGrouping {
  column: 'agent_id' | "to_char(day, 'YYYY-MM-DD')" | 'model' | 'end_user' | 'api_key_id' | 'tag';
  field: string;
}

/** Narrows the attribution usage report to one end user, API key or tag. */
export interface AttributionUsageFilter {
  user?: string;
  apiKeyId?: string;
  tag?: string;
}

/**
 * The tenant's usage over [from, to] (UTC days) by who ran it, summed per grouping. Without a
 * tag (grouped or filtered) it sums the `tag = ''` rows, each execution once; grouped by tag it
 * sums the tag rows, each execution once per tag (an execution with two tags is in both groups).
 */
export function readAttributionUsage(
  sql: Sql,
  tenantId: string,
  from: string,
  to: string,
  groupings: readonly AttributionGrouping[],
  filter: AttributionUsageFilter = {},
): Promise<Record<string, string>[]> {
  const select = groupings.map((d) => `${d.column} AS "${d.field}"`);
  const positions = groupings.map((_, i) => i + 1).join(', ');
  const byTag = groupings.some((d) => d.column === 'tag');
  const params: unknown[] = [tenantId, from, to];
  const where = ['tenant_id = $1', 'day BETWEEN $2::date AND $3::date'];
  if (filter.tag !== undefined) {
    params.push(filter.tag);
    where.push(`tag = $${params.length}`);
  } else if (!byTag) {
    where.push(`tag = ''`);
  } else {
    where.push(`tag <> ''`);
  }
  if (filter.user !== undefined) {
    params.push(filter.user);
    where.push(`end_user = $${params.length}`);
  }
  if (filter.apiKeyId !== undefined) {
    params.push(filter.apiKeyId);
    where.push(`api_key_id = $${params.length}`);
  }
  return sql.query(
    `SELECT ${[...select, ''].join(', ')}
              sum(executions) AS executions, sum(succeeded) AS succeeded, sum(failed) AS failed,
              sum(cancelled) AS cancelled, sum(prompt_tokens) AS "promptTokens",
              sum(completion_tokens) AS "completionTokens",
              sum(prompt_tokens + completion_tokens) AS "totalTokens", sum(cost_usd) AS "costUsd",
              round(sum(total_duration_ms)::numeric / NULLIF(sum(timed_executions), 0)) AS "avgDurationMs"
         FROM usage_attribution_daily
        WHERE ${where.join(' AND ')}
        ${positions ? `GROUP BY ${positions} ORDER BY ${positions}` : ''}`,
    params,
  );
}

// Spend so far, from the daily rollups (UTC day and month), compared in PostgreSQL numerics.
const SPEND_CHECK_SQL = `
WITH spent AS (
  SELECT COALESCE(sum(cost_usd) FILTER (WHERE agent_id = $2 AND day = today), 0) AS agent_day,
         COALESCE(sum(cost_usd) FILTER (WHERE agent_id = $2), 0) AS agent_month,
         COALESCE(sum(cost_usd) FILTER (WHERE day = today), 0) AS tenant_day,
         COALESCE(sum(cost_usd), 0) AS tenant_month
    FROM agent_usage_daily, (SELECT (now() AT TIME ZONE 'UTC')::date AS today) t
   WHERE tenant_id = $1 AND day >= date_trunc('month', today)::date
)
SELECT agent_day >= $3::numeric AS agent_day, agent_month >= $4::numeric AS agent_month,
       tenant_day >= $5::numeric AS tenant_day, tenant_month >= $6::numeric AS tenant_month,
       agent_day::text AS agent_day_spent, agent_month::text AS agent_month_spent,
       tenant_day::text AS tenant_day_spent, tenant_month::text AS tenant_month_spent
  FROM spent`;

/** Budgets in USD (decimal strings); null: no limit. */
export interface SpendLimits {
  agentDay: string | null;
  agentMonth: string | null;
  tenantDay: string | null;
  tenantMonth: string | null;
}

/**
 * This UTC day's and month's spend of the agent and its tenant, each compared with its limit
 * in PostgreSQL numerics: `<scope>_<period>` is true when the limit is reached, and
 * `<scope>_<period>_spent` is the spend as a decimal string.
 */
export async function checkRollupSpend(
  sql: Sql,
  tenantId: string,
  agentId: string,
  limits: SpendLimits,
): Promise<Record<string, boolean | string | null>> {
  const [row] = await sql.query(SPEND_CHECK_SQL, [
    tenantId,
    agentId,
    limits.agentDay,
    limits.agentMonth,
    limits.tenantDay,
    limits.tenantMonth,
  ]);
  return row;
}
