import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { inTenantTransaction } from '@agentq/database';
import { createHash } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';

/**
 * One spend limit that applies to a model call: whose (agent, tenant, end user or API key), over
 * which period.
 */
export interface BudgetLimit {
  scope: 'agent' | 'tenant' | 'end_user' | 'api_key';
  /** The agent's, tenant's or key's id; for an end user, endUserScopeId(tenant, user). */
  scopeId: string;
  /** The end user's id (`user`), for an end_user limit. */
  endUser?: string;
  period: 'day' | 'month';
  /** USD, a decimal string. */
  limitUsd: string;
}

/** The budget counter id of a tenant's end user: a uuid derived from both, the same everywhere. */
export function endUserScopeId(tenantId: string, user: string): string {
  const hex = createHash('sha256').update(`${tenantId}\n${user}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/** A limit with no room left (one spent through first), with what is spent and reserved on it. */
export interface BudgetRefusal {
  limit: BudgetLimit;
  spentUsd: string;
  reservedUsd: string;
  /** Spent through by settled calls; otherwise only calls in flight hold the rest. */
  spent: boolean;
}

export type ReservationResult =
  { kind: 'reserved'; reservationId: string } | { kind: 'refused'; refusal: BudgetRefusal };

// The UTC period a call falls in; now() is the transaction's start, the same in every statement.
const WANTED_CTE = `
wanted AS (
  SELECT w.*, CASE w.period WHEN 'day' THEN today ELSE date_trunc('month', today)::date END
              AS period_start
    FROM jsonb_to_recordset($1::jsonb)
         AS w(scope text, scope_id uuid, end_user text, period text, limit_usd numeric),
         (SELECT (now() AT TIME ZONE 'UTC')::date AS today) t
)`;

// A counter starts from the rollups of its period (spend recorded before the budget was first
// used), counters of periods that are over are deleted as new ones start, and reservations whose call never settled (its worker died) count as spent in full
// once they expire: the call may have been paid for, and never more than its reservation.
const PREPARE_COUNTERS_SQL = `
WITH t AS (SELECT (now() AT TIME ZONE 'UTC')::date AS today),
${WANTED_CTE},
created AS (
  INSERT INTO budget_counters (scope_id, period, period_start, tenant_id, spent_usd)
  SELECT w.scope_id, w.period, w.period_start, $2,
         CASE WHEN w.scope IN ('agent', 'tenant') THEN
           COALESCE((SELECT sum(d.cost_usd) FROM agent_usage_daily d
                      WHERE d.tenant_id = $2 AND (w.scope = 'tenant' OR d.agent_id = w.scope_id)
                        AND d.day >= w.period_start
                        AND d.day < w.period_start + CASE w.period WHEN 'day' THEN interval '1 day'
                                                                  ELSE interval '1 month' END), 0)
         ELSE
           -- End users and keys start from the attribution rollup (each execution once: tag '').
           COALESCE((SELECT sum(u.cost_usd) FROM usage_attribution_daily u
                      WHERE u.tenant_id = $2 AND u.tag = ''
                        AND (CASE w.scope WHEN 'end_user' THEN u.end_user = w.end_user
                                          ELSE u.api_key_id = w.scope_id END)
                        AND u.day >= w.period_start
                        AND u.day < w.period_start + CASE w.period WHEN 'day' THEN interval '1 day'
                                                                  ELSE interval '1 month' END), 0)
         END
    FROM wanted w
   WHERE NOT EXISTS (SELECT 1 FROM budget_counters c
                      WHERE (c.scope_id, c.period, c.period_start)
                          = (w.scope_id, w.period, w.period_start))
  ON CONFLICT DO NOTHING
  RETURNING period_start
),
-- A new period's counter retires the tenant's counters of periods that are over.
retired AS (
  DELETE FROM budget_counters c
   WHERE c.tenant_id = $2 AND EXISTS (SELECT 1 FROM created)
     AND c.period_start < CASE c.period WHEN 'day' THEN (SELECT today FROM t)
                                        ELSE date_trunc('month', (SELECT today FROM t))::date END
),
expired AS (
  DELETE FROM budget_reservations
   WHERE tenant_id = $2 AND expires_at < now()
  RETURNING amount_usd, scope_ids, periods, period_starts
),
expired_amounts AS (
  SELECT k.scope_id, k.period, k.period_start, sum(e.amount_usd) AS amount_usd
    FROM expired e, unnest(e.scope_ids, e.periods, e.period_starts) AS k(scope_id, period, period_start)
   GROUP BY 1, 2, 3
),
locked AS (
  SELECT c.scope_id, c.period, c.period_start FROM budget_counters c
    JOIN expired_amounts x USING (scope_id, period, period_start)
   ORDER BY c.scope_id, c.period, c.period_start
     FOR UPDATE OF c
)
UPDATE budget_counters c
   SET reserved_usd = greatest(c.reserved_usd - x.amount_usd, 0),
       spent_usd = c.spent_usd + x.amount_usd
  FROM locked l JOIN expired_amounts x USING (scope_id, period, period_start)
 WHERE (c.scope_id, c.period, c.period_start) = (l.scope_id, l.period, l.period_start)`;

// Reserves `amount` on every counter at once, or on none: a counter takes a reservation while
// what is spent and reserved on it is below its limit, so the last call let in may go past the
// limit by at most its own reservation. Counters are locked in one order (no deadlock).
const RESERVE_SQL = `
WITH ${WANTED_CTE},
locked AS (
  SELECT c.scope_id, c.period, c.period_start, c.spent_usd, c.reserved_usd, w.limit_usd, w.scope
    FROM budget_counters c JOIN wanted w USING (scope_id, period, period_start)
   ORDER BY c.scope_id, c.period, c.period_start
     FOR UPDATE OF c
),
refused AS (
  SELECT * FROM locked WHERE spent_usd + reserved_usd >= limit_usd
),
reserved AS (
  UPDATE budget_counters c SET reserved_usd = c.reserved_usd + $3::numeric
    FROM locked l
   WHERE (c.scope_id, c.period, c.period_start) = (l.scope_id, l.period, l.period_start)
     AND NOT EXISTS (SELECT 1 FROM refused)
),
reservation AS (
  INSERT INTO budget_reservations (tenant_id, execution_id, amount_usd, scope_ids, periods,
                                   period_starts, expires_at)
  SELECT $2, $4, $3::numeric, array_agg(scope_id), array_agg(period), array_agg(period_start),
         now() + make_interval(secs => $5::double precision / 1000)
    FROM locked
  HAVING NOT EXISTS (SELECT 1 FROM refused)
  RETURNING id
)
SELECT (SELECT id FROM reservation) AS reservation_id,
       r.scope, r.scope_id, r.period, r.limit_usd::text AS limit_usd,
       r.spent_usd::text AS spent_usd, r.reserved_usd::text AS reserved_usd,
       r.spent_usd >= r.limit_usd AS spent
  FROM (SELECT 1) one
  LEFT JOIN LATERAL (SELECT * FROM refused ORDER BY spent_usd >= limit_usd DESC, scope, period LIMIT 1) r ON true`;

// The reservation gives way to what the call cost; a call that failed costs nothing.
const SETTLE_SQL = `
WITH settled AS (
  DELETE FROM budget_reservations WHERE id = $1
  RETURNING amount_usd, scope_ids, periods, period_starts
),
keys AS (
  SELECT k.scope_id, k.period, k.period_start, s.amount_usd
    FROM settled s, unnest(s.scope_ids, s.periods, s.period_starts) AS k(scope_id, period, period_start)
),
locked AS (
  SELECT c.scope_id, c.period, c.period_start FROM budget_counters c
    JOIN keys USING (scope_id, period, period_start)
   ORDER BY c.scope_id, c.period, c.period_start
     FOR UPDATE OF c
)
UPDATE budget_counters c
   SET reserved_usd = greatest(c.reserved_usd - k.amount_usd, 0),
       spent_usd = c.spent_usd + $2::numeric
  FROM locked l JOIN keys k USING (scope_id, period, period_start)
 WHERE (c.scope_id, c.period, c.period_start) = (l.scope_id, l.period, l.period_start)`;

/**
 * Spend budgets held under concurrency: every model call of a budgeted agent reserves its
 * maximum cost before it starts and settles to its real cost when it answers, so spend never
 * passes a limit by more than one call's maximum, however many calls run at once.
 */
@Injectable()
export class BudgetLedger {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async reserve(request: {
    tenantId: string;
    executionId: string;
    limits: readonly BudgetLimit[];
    amountUsd: string;
    /** How long the reservation holds if never settled (its worker died). */
    holdMs: number;
  }): Promise<ReservationResult> {
    const wanted = JSON.stringify(
      request.limits.map((limit) => ({
        scope: limit.scope,
        scope_id: limit.scopeId,
        end_user: limit.endUser ?? null,
        period: limit.period,
        limit_usd: limit.limitUsd,
      })),
    );
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const [row]: Record<string, any>[] = await inTenantTransaction(
      this.dataSource,
      request.tenantId,
      async (manager: EntityManager) => {
        await manager.query(PREPARE_COUNTERS_SQL, [wanted, request.tenantId]);
        return manager.query(RESERVE_SQL, [
          wanted,
          request.tenantId,
          request.amountUsd,
          request.executionId,
          request.holdMs,
        ]);
      },
    );
    if (row.reservation_id) return { kind: 'reserved', reservationId: row.reservation_id };
    const limit = request.limits.find(
      (candidate) => candidate.scopeId === row.scope_id && candidate.period === row.period,
    )!;
    return {
      kind: 'refused',
      refusal: {
        limit,
        spentUsd: row.spent_usd,
        reservedUsd: row.reserved_usd,
        spent: row.spent,
      },
    };
  }

  /** What the call cost (USD, a decimal string); '0' for a call that failed. */
  async settle(tenantId: string, reservationId: string, costUsd: string): Promise<void> {
    await inTenantTransaction(this.dataSource, tenantId, (manager: EntityManager) =>
      manager.query(SETTLE_SQL, [reservationId, costUsd]),
    );
  }
}
