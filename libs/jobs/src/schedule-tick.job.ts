import { JobsOptions } from 'bullmq';

export const SCHEDULE_TICK_JOB = 'fire-due-schedules';

/** The job scheduler's id: every worker upserts it at boot and on reconnect, so one exists. */
export const SCHEDULE_TICK_SCHEDULER_ID = 'fire-due-schedules-every';

/** No payload: a tick works from PostgreSQL, where every schedule and its next fire time live. */
export type ScheduleTickJobData = Record<string, never>;

export interface ScheduleTickJobResult {
  /** Fire times that created (or found, by idempotency key) an execution. */
  fired: number;
  /** Fire times recorded as skipped, with their reason, in schedule_firings. */
  skipped: number;
  /** Schedules passed over this tick because firing them threw (logged; tried next tick). */
  failed: number;
}

export const scheduleTickJobOptions: JobsOptions = {
  attempts: 1,
  removeOnComplete: { count: 20 },
  removeOnFail: { count: 100 },
};
