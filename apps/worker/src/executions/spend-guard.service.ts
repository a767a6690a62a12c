import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { ExecutionError, inTenantTransaction } from '@agentq/database';
import { DataSource } from 'typeorm';
import { ClaimedExecution } from '@agentq/executions';

/** Spend so far, from the daily rollups (UTC day and month), compared in PostgreSQL numerics. */
const BUDGET_CHECK_SQL = `
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

const LIMITS = [
  ['agent_day', 'agentDailyUsd', "the agent's daily budget"],
  ['agent_month', 'agentMonthlyUsd', "the agent's monthly budget"],
  ['tenant_day', 'tenantDailyUsd', "the tenant's daily budget"],
  ['tenant_month', 'tenantMonthlyUsd', "the tenant's monthly budget"],
] as const;

/**
 * Checked before every attempt, retries included, so no attempt starts once spend has reached
 * a budget. Spend is what completed executions recorded; attempts in flight are not reserved.
 */
@Injectable()
export class SpendGuard {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Also asked before a schedule fires, with the agent's and tenant's budgets. */
  async budgetProblem(
    execution: Pick<ClaimedExecution, 'tenantId' | 'agentId' | 'budgets'>,
  ): Promise<ExecutionError | null> {
    const { budgets } = execution;
    if (LIMITS.every(([, field]) => budgets[field] === null)) return null;
    const [row] = await inTenantTransaction(this.dataSource, execution.tenantId, (manager) =>
      manager.query(BUDGET_CHECK_SQL, [
        execution.tenantId,
        execution.agentId,
        ...LIMITS.map(([, field]) => budgets[field]),
      ]),
    );
    const exceeded = LIMITS.find(([column]) => row[column] === true);
    if (!exceeded) return null;
    const [column, field, name] = exceeded;
    return {
      code: 'budget_exceeded',
      message: `${name} of ${budgets[field]} USD is spent (${row[`${column}_spent`]} USD); the provider was not called`,
    };
  }
}
