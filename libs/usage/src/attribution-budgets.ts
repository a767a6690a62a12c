import { EntityManager } from 'typeorm';
import { endUserScopeId } from './budget-ledger';

type Sql = Pick<EntityManager, 'query'>;

/** The end-user and API-key budgets that apply to a key's submissions (USD strings, or null). */
export interface AttributionBudgets {
  endUserDailyUsd: string | null;
  endUserMonthlyUsd: string | null;
  apiKeyDailyUsd: string | null;
  apiKeyMonthlyUsd: string | null;
}

/** A budget with nothing left: whose, over which period, its limit and what is spent. */
export interface SpentBudget {
  scope: 'end_user' | 'api_key';
  /** The end user's id, for an end_user budget. */
  endUser: string | null;
  period: 'day' | 'month';
  limitUsd: string;
  spentUsd: string;
}

const BUDGETS_SQL = `
SELECT t.end_user_budget_daily_usd::text AS end_user_daily,
       t.end_user_budget_monthly_usd::text AS end_user_monthly,
       k.budget_daily_usd::text AS api_key_daily, k.budget_monthly_usd::text AS api_key_monthly
  FROM tenants t LEFT JOIN api_keys k ON k.id = $2 AND k.tenant_id = t.id
 WHERE t.id = $1`;

/** The budgets a key's submissions answer to, in the caller's tenant transaction. */
export async function readAttributionBudgets(
  sql: Sql,
  tenantId: string,
  apiKeyId: string,
): Promise<AttributionBudgets> {
  const [row] = await sql.query(BUDGETS_SQL, [tenantId, apiKeyId]);
  return {
    endUserDailyUsd: row?.end_user_daily ?? null,
    endUserMonthlyUsd: row?.end_user_monthly ?? null,
    apiKeyDailyUsd: row?.api_key_daily ?? null,
    apiKeyMonthlyUsd: row?.api_key_monthly ?? null,
  };
}

export function hasAttributionBudgets(budgets: AttributionBudgets): boolean {
  return Object.values(budgets).some((limit) => limit !== null);
}

// What is spent this UTC day and month: the ledger's counter where one exists (it also holds the
// calls of executions still running), else the attribution rollup (each execution once: tag '').
const SPENT_SQL = `
WITH t AS (SELECT (now() AT TIME ZONE 'UTC')::date AS today),
limits AS (
  SELECT l.*, CASE l.period WHEN 'day' THEN today ELSE date_trunc('month', today)::date END
              AS period_start
    FROM jsonb_to_recordset($2::jsonb)
         AS l(scope text, scope_id uuid, end_user text, period text, limit_usd numeric), t
)
SELECT l.scope, l.end_user, l.period, l.limit_usd::text AS limit_usd, s.spent::text AS spent_usd
  FROM limits l,
  LATERAL (SELECT COALESCE(
    (SELECT c.spent_usd FROM budget_counters c
      WHERE (c.scope_id, c.period, c.period_start) = (l.scope_id, l.period, l.period_start)),
    (SELECT sum(u.cost_usd) FROM usage_attribution_daily u
      WHERE u.tenant_id = $1 AND u.tag = '' AND u.day >= l.period_start
        AND (CASE l.scope WHEN 'end_user' THEN u.end_user = l.end_user
                          ELSE u.api_key_id = l.scope_id END)),
    0) AS spent) s
 WHERE s.spent >= l.limit_usd
 ORDER BY l.scope, l.period
 LIMIT 1`;

/**
 * The first end-user or API-key budget these submissions would spend past, or null: checked at
 * submission, so that once a budget is exhausted nothing more is queued against it.
 */
export async function findSpentAttributionBudget(
  sql: Sql,
  tenantId: string,
  apiKeyId: string | null,
  users: readonly string[],
  budgets: AttributionBudgets,
): Promise<SpentBudget | null> {
  const limits: Record<string, unknown>[] = [];
  const add = (
    scope: SpentBudget['scope'],
    scopeId: string,
    endUser: string | null,
    period: SpentBudget['period'],
    limitUsd: string | null,
  ) => {
    if (limitUsd !== null) {
      limits.push({ scope, scope_id: scopeId, end_user: endUser, period, limit_usd: limitUsd });
    }
  };
  if (apiKeyId) {
    add('api_key', apiKeyId, null, 'day', budgets.apiKeyDailyUsd);
    add('api_key', apiKeyId, null, 'month', budgets.apiKeyMonthlyUsd);
  }
  for (const user of new Set(users)) {
    const scopeId = endUserScopeId(tenantId, user);
    add('end_user', scopeId, user, 'day', budgets.endUserDailyUsd);
    add('end_user', scopeId, user, 'month', budgets.endUserMonthlyUsd);
  }
  if (limits.length === 0) return null;
  const [row] = await sql.query(SPENT_SQL, [tenantId, JSON.stringify(limits)]);
  if (!row) return null;
  return {
    scope: row.scope,
    endUser: row.end_user,
    period: row.period,
    limitUsd: row.limit_usd,
    spentUsd: row.spent_usd,
  };
}

/** How a spent budget is named to the caller (402 budget_exceeded). */
export function describeSpentBudget(budget: SpentBudget): string {
  const period = budget.period === 'day' ? 'daily' : 'monthly';
  const whose =
    budget.scope === 'end_user'
      ? `end user ${JSON.stringify(budget.endUser)}'s ${period} budget`
      : `this API key's ${period} budget`;
  return `${whose} of ${budget.limitUsd} USD is spent (${budget.spentUsd} USD)`;
}
