/**
 * The idempotency key of a schedule's execution for one fire time. Deterministic, so two
 * workers, a restart or a Redis failover that fire the same time again get the same execution.
 */
export function scheduleFiringKey(scheduleId: string, fireTime: Date): string {
  return `schedule:${scheduleId}:${fireTime.toISOString()}`;
}

/** Why a fire time was recorded without an execution. */
export const SCHEDULE_SKIP_REASONS = [
  'overlap',
  'agent_not_active',
  'budget_exceeded',
  'missed',
  'queue_full',
] as const;

export type ScheduleSkipReason = (typeof SCHEDULE_SKIP_REASONS)[number];
