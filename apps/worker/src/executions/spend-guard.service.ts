import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { APP_CONFIG, AppConfig } from '@agentq/config';
import { ExecutionError, inTenantTransaction } from '@agentq/database';
import { checkRollupSpend, ClaimedExecution } from '@agentq/executions';
import { LlmRequest, LlmResult } from '@agentq/llm';
import {
  BudgetLedger,
  BudgetLimit,
  BudgetRefusal,
  computeCostUsd,
  endUserScopeId,
} from '@agentq/usage';
import { DataSource } from 'typeorm';
import { DispatchDeferral } from '../dispatch/dispatch-deferral';
import { callCostCeilingUsd } from './call-cost-ceiling';

const LIMIT_NAMES: Record<`${BudgetLimit['scope']}-${BudgetLimit['period']}`, string> = {
  'agent-day': "the agent's daily budget",
  'agent-month': "the agent's monthly budget",
  'tenant-day': "the tenant's daily budget",
  'tenant-month': "the tenant's monthly budget",
  'end_user-day': "the end user's daily budget",
  'end_user-month': "the end user's monthly budget",
  'api_key-day': "the API key's daily budget",
  'api_key-month': "the API key's monthly budget",
};

// The rollup check's columns, the budget fields they compare with, and the limits they name.
const LIMITS = [
  ['agent_day', 'agentDailyUsd', LIMIT_NAMES['agent-day']],
  ['agent_month', 'agentMonthlyUsd', LIMIT_NAMES['agent-month']],
  ['tenant_day', 'tenantDailyUsd', LIMIT_NAMES['tenant-day']],
  ['tenant_month', 'tenantMonthlyUsd', LIMIT_NAMES['tenant-month']],
] as const;

// How long an attempt waits when the rest of a budget is reserved by calls in flight.
const RESERVED_WAIT_MS = 1_000;

/** A model call refused for want of budget: the execution ends `failed` (budget_exceeded). */
export class BudgetExceededError extends Error {
  constructor(readonly problem: ExecutionError) {
    super(problem.message);
    this.name = BudgetExceededError.name;
  }
}

/** What a call holds against its budgets until it settles; null for an agent without any. */
export type CallReservation = { reservationId: string } | null;

/**
 * Every model call of a budgeted agent (each step of a tool loop, each retry) reserves its
 * maximum cost before it is sent and settles to its real cost when it answers, so spend passes
 * a budget by at most one call's maximum whatever the concurrency. Agents and tenants without
 * a budget pay nothing for it.
 */
@Injectable()
export class SpendGuard {
  private readonly logger = new Logger(SpendGuard.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly ledger: BudgetLedger,
  ) {}

  /**
   * Throws BudgetExceededError when a budget is spent, and a DispatchDeferral when the rest of
   * it is reserved by calls in flight (which may leave room when they settle).
   */
  async reserveCall(
    execution: Pick<
      ClaimedExecution,
      'id' | 'tenantId' | 'agentId' | 'budgets' | 'timeoutMs' | 'provider'
    > &
      Partial<Pick<ClaimedExecution, 'attribution'>>,
    request: LlmRequest,
  ): Promise<CallReservation> {
    const limits = budgetLimits(execution);
    if (limits.length === 0) return null;
    const amountUsd = callCostCeilingUsd(request, execution.provider.pricing);
    const result = await this.ledger.reserve({
      tenantId: execution.tenantId,
      executionId: execution.id,
      limits,
      amountUsd,
      // Past the call's own timeout, a reservation still held belongs to a worker that died.
      holdMs:
        (execution.timeoutMs ?? this.config.executions.defaultTimeoutMs) +
        this.config.reconciler.runningMarginMs,
    });
    if (result.kind === 'reserved') return { reservationId: result.reservationId };
    if (result.refusal.spent) throw new BudgetExceededError(refusalProblem(result.refusal));
    // What is left is held by calls in flight: wait for them to settle, using no attempt.
    throw new DispatchDeferral('budget_reserved', jittered(RESERVED_WAIT_MS));
  }

  /**
   * The call answered (`result`) or failed (null). A settle that fails leaves the reservation to
   * expire, when it counts in full: never less than the call cost.
   */
  async settleCall(
    execution: Pick<ClaimedExecution, 'id' | 'tenantId' | 'provider'>,
    reservation: CallReservation,
    result: LlmResult | null,
  ): Promise<void> {
    if (!reservation) return;
    const costUsd = result
      ? computeCostUsd(result, result.model, execution.provider.pricing).costUsd
      : '0';
    try {
      await this.ledger.settle(execution.tenantId, reservation.reservationId, costUsd);
    } catch (error) {
      this.logger.warn(
        `execution ${execution.id}: could not settle its budget reservation ` +
          `(${(error as Error).message}); it counts in full when it expires`,
      );
    }
  }

  /** Also asked before a schedule fires, with the agent's and tenant's budgets. */
  async budgetProblem(
    execution: Pick<ClaimedExecution, 'tenantId' | 'agentId' | 'budgets'>,
  ): Promise<ExecutionError | null> {
    const { budgets } = execution;
    if (LIMITS.every(([, field]) => budgets[field] === null)) return null;
    const row = await inTenantTransaction(this.dataSource, execution.tenantId, (manager) =>
      checkRollupSpend(manager, execution.tenantId, execution.agentId, {
        agentDay: budgets.agentDailyUsd,
        agentMonth: budgets.agentMonthlyUsd,
        tenantDay: budgets.tenantDailyUsd,
        tenantMonth: budgets.tenantMonthlyUsd,
      }),
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

export function budgetLimits(
  execution: Pick<ClaimedExecution, 'tenantId' | 'agentId' | 'budgets'> &
    Partial<Pick<ClaimedExecution, 'attribution'>>,
): BudgetLimit[] {
  const { budgets } = execution;
  const user = execution.attribution?.user ?? null;
  const apiKeyId = execution.attribution?.apiKeyId ?? null;
  const candidates: [
    BudgetLimit['scope'],
    string | null,
    BudgetLimit['period'],
    string | null | undefined,
  ][] = [
    ['agent', execution.agentId, 'day', budgets.agentDailyUsd],
    ['agent', execution.agentId, 'month', budgets.agentMonthlyUsd],
    ['tenant', execution.tenantId, 'day', budgets.tenantDailyUsd],
    ['tenant', execution.tenantId, 'month', budgets.tenantMonthlyUsd],
    ['api_key', apiKeyId, 'day', budgets.apiKeyDailyUsd],
    ['api_key', apiKeyId, 'month', budgets.apiKeyMonthlyUsd],
  ];
  const limits: BudgetLimit[] = candidates.flatMap(([scope, scopeId, period, limitUsd]) =>
    limitUsd == null || scopeId === null ? [] : [{ scope, scopeId, period, limitUsd }],
  );
  if (user === null) return limits;
  const userScope = endUserScopeId(execution.tenantId, user);
  for (const [period, limitUsd] of [
    ['day', budgets.endUserDailyUsd],
    ['month', budgets.endUserMonthlyUsd],
  ] as const) {
    if (limitUsd != null) {
      limits.push({ scope: 'end_user', scopeId: userScope, endUser: user, period, limitUsd });
    }
  }
  return limits;
}

function refusalProblem({ limit, spentUsd, reservedUsd }: BudgetRefusal): ExecutionError {
  const whose = limit.endUser === undefined ? '' : ` (${JSON.stringify(limit.endUser)})`;
  return {
    code: 'budget_exceeded',
    message:
      `${LIMIT_NAMES[`${limit.scope}-${limit.period}`]}${whose} of ${limit.limitUsd} USD is spent ` +
      `(${spentUsd} USD spent, ${reservedUsd} USD reserved by calls in flight); ` +
      'this model call was not made',
  };
}

// Between half and one and a half times `ms`, so deferred attempts do not come back together.
function jittered(ms: number): number {
  return Math.round(ms * (0.5 + Math.random()));
}
