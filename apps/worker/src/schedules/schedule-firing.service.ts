import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { APP_CONFIG, AppConfig } from '@agentq/config';
import { ExecutionInput, MAINTENANCE_DATA_SOURCE, TERMINAL_STATUSES } from '@agentq/database';
import {
  attributionFromRecord,
  executionStatesByIdOrKey,
  ExecutionSubmitter,
  QueueFullError,
  SubmissionRefusedError,
} from '@agentq/executions';
import { ScheduleTickJobResult } from '@agentq/jobs';
import {
  DueSchedule,
  nextFireTime,
  readDueSchedules,
  recordTickFiring,
  scheduleFiringKey,
  ScheduleSkipReason,
} from '@agentq/schedules';
import {
  describeSpentBudget,
  findSpentAttributionBudget,
  hasAttributionBudgets,
} from '@agentq/usage';
import { DataSource } from 'typeorm';
import { SpendGuard } from '../executions/spend-guard.service';

// Schedules handled per tick at most; the next tick takes the rest.
const SCHEDULES_PER_TICK = 200;
// Fire times of one schedule handled per tick at most (a seconds schedule behind by a few).
const FIRE_TIMES_PER_SCHEDULE = 20;

type Firing =
  | { outcome: 'fired'; executionId: string }
  | { outcome: 'skipped'; reason: ScheduleSkipReason; message: string };

/**
 * Fires the schedules whose next fire time has come. PostgreSQL holds the truth: each due fire
 * time becomes one execution (through ExecutionSubmitter, with the deterministic key schedule
 * id + fire time) or one skipped firing with its reason; then, in a short transaction of its
 * own that finds the schedule still at that fire time, the firing is recorded and the schedule
 * moves on. A crash, a concurrent tick or a PATCH in between repeats the same fire time (the
 * idempotency key and schedule_firings' primary key make it the same execution and row) or
 * stops at the schedule's new state. Each schedule is on its own: one that throws is logged and
 * passed over, and the others fire.
 */
@Injectable()
export class ScheduleFirings {
  private readonly logger = new Logger(ScheduleFirings.name);

  constructor(
    @InjectDataSource(MAINTENANCE_DATA_SOURCE) private readonly dataSource: DataSource,
    private readonly submitter: ExecutionSubmitter,
    private readonly spendGuard: SpendGuard,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async fireDue(now: () => Date = () => new Date()): Promise<ScheduleTickJobResult> {
    const due = await readDueSchedules(this.dataSource.manager, SCHEDULES_PER_TICK);
    const result = { fired: 0, skipped: 0, failed: 0 };
    for (const schedule of due) {
      try {
        const counts = await this.fireSchedule(schedule, now);
        result.fired += counts.fired;
        result.skipped += counts.skipped;
      } catch (error) {
        result.failed += 1;
        this.logger.warn(
          `schedule ${schedule.id} not fired this tick (tried again next tick): ${(error as Error).message}`,
        );
      }
    }
    return result;
  }

  private async fireSchedule(
    schedule: DueSchedule,
    now: () => Date,
  ): Promise<Omit<ScheduleTickJobResult, 'failed'>> {
    const counts = { fired: 0, skipped: 0 };
    let fireTime: Date | null = schedule.next_run_at;
    let lastExecutionId = schedule.last_execution_id;
    for (let n = 0; fireTime && fireTime <= now() && n < FIRE_TIMES_PER_SCHEDULE; n += 1) {
      // First: a schedule whose next fire time cannot be computed submits nothing.
      const next = this.nextAfter(schedule, fireTime, now());
      const firing = await this.fire(schedule, fireTime, lastExecutionId, now());
      if (!(await this.recordFiring(schedule, fireTime, firing, next))) break;
      if (firing.outcome === 'fired') {
        counts.fired += 1;
        lastExecutionId = firing.executionId;
      } else {
        counts.skipped += 1;
        this.logger.log(
          `schedule ${schedule.id} skipped ${fireTime.toISOString()}: ${firing.reason} (${firing.message})`,
        );
      }
      fireTime = next;
    }
    return counts;
  }

  // False when the schedule has moved on meanwhile (disabled, edited, or another tick).
  private recordFiring(
    schedule: DueSchedule,
    fireTime: Date,
    firing: Firing,
    next: Date | null,
  ): Promise<boolean> {
    return this.dataSource.transaction((manager) =>
      recordTickFiring(
        manager,
        { id: schedule.id, tenantId: schedule.tenant_id },
        fireTime,
        firing,
        next,
      ),
    );
  }

  // After a fire time missed past the catch-up window, the next one from the window's start.
  private nextAfter(schedule: DueSchedule, fireTime: Date, now: Date): Date | null {
    const windowStart = new Date(now.getTime() - this.config.schedules.catchupWindowMs);
    const from = fireTime < windowStart ? windowStart : fireTime;
    return nextFireTime(
      {
        cron: schedule.cron,
        timezone: schedule.timezone,
        startAt: schedule.start_at,
        endAt: schedule.end_at,
      },
      from,
    );
  }

  private async fire(
    schedule: DueSchedule,
    fireTime: Date,
    lastExecutionId: string | null,
    now: Date,
  ): Promise<Firing> {
    if (now.getTime() - fireTime.getTime() > this.config.schedules.catchupWindowMs) {
      return {
        outcome: 'skipped',
        reason: 'missed',
        message: 'no worker fired it within SCHEDULE_CATCHUP_WINDOW_MS',
      };
    }
    const key = scheduleFiringKey(schedule.id, fireTime);
    const states = await executionStatesByIdOrKey(
      this.dataSource.manager,
      schedule.tenant_id,
      lastExecutionId,
      key,
    );
    // Fired already by a tick that stopped before recording it: the same execution.
    const earlier = states.find((state) => state.idempotencyKey === key);
    if (earlier) return { outcome: 'fired', executionId: earlier.id };
    const previous = states.find((state) => state.id === lastExecutionId);
    if (schedule.overlap === 'skip' && previous && !TERMINAL_STATUSES.includes(previous.status)) {
      return {
        outcome: 'skipped',
        reason: 'overlap',
        message: `execution ${previous.id} is still ${previous.status}`,
      };
    }
    if (schedule.agent_status !== 'active') {
      return {
        outcome: 'skipped',
        reason: 'agent_not_active',
        message: `the agent is ${schedule.agent_status}`,
      };
    }
    const budget = await this.spendGuard.budgetProblem({
      tenantId: schedule.tenant_id,
      agentId: schedule.agent_id,
      budgets: {
        agentDailyUsd: schedule.agent_budget_daily,
        agentMonthlyUsd: schedule.agent_budget_monthly,
        tenantDailyUsd: schedule.tenant_budget_daily,
        tenantMonthlyUsd: schedule.tenant_budget_monthly,
      },
    });
    if (budget) return { outcome: 'skipped', reason: 'budget_exceeded', message: budget.message };
    const spent = await this.spentAttributionBudget(schedule);
    if (spent) return { outcome: 'skipped', reason: 'budget_exceeded', message: spent };
    return this.submit(schedule, key);
  }

  // The end-user and API-key budgets a submission answers to, checked the same way for a firing.
  private async spentAttributionBudget(schedule: DueSchedule): Promise<string | null> {
    const budgets = {
      endUserDailyUsd: schedule.end_user_budget_daily,
      endUserMonthlyUsd: schedule.end_user_budget_monthly,
      apiKeyDailyUsd: schedule.api_key_budget_daily,
      apiKeyMonthlyUsd: schedule.api_key_budget_monthly,
    };
    if (!hasAttributionBudgets(budgets)) return null;
    const spent = await findSpentAttributionBudget(
      this.dataSource.manager,
      schedule.tenant_id,
      schedule.api_key_id,
      schedule.end_user ? [schedule.end_user] : [],
      budgets,
    );
    return spent && `${describeSpentBudget(spent)}; the firing was skipped`;
  }

  private async submit(schedule: DueSchedule, idempotencyKey: string): Promise<Firing> {
    try {
      const [submitted] = await this.submitter.submit({
        tenantId: schedule.tenant_id,
        agentId: schedule.agent_id,
        executions: [
          {
            sessionId: null,
            priority: schedule.priority,
            input: schedule.input as ExecutionInput,
            maxAttempts: schedule.max_attempts,
            timeoutMs: null,
            runAt: null,
            idempotencyKey,
            handoffToAgentId: null,
            storeOutputAsMemory: false,
            attribution: attributionFromRecord(schedule),
          },
        ],
      });
      return { outcome: 'fired', executionId: submitted.execution.id };
    } catch (error) {
      if (error instanceof SubmissionRefusedError && error.reason === 'agent_not_active') {
        return { outcome: 'skipped', reason: 'agent_not_active', message: error.message };
      }
      if (error instanceof QueueFullError) {
        return { outcome: 'skipped', reason: 'queue_full', message: error.message };
      }
      // Redis or PostgreSQL unavailable: the fire time stays due and is tried on the next tick.
      throw error;
    }
  }
}
