import { JobsOptions } from 'bullmq';

export const RECONCILE_EXECUTIONS_JOB = 'reconcile-executions';

/** The job scheduler's id: every worker upserts it at boot, so exactly one schedule exists. */
export const RECONCILE_EXECUTIONS_SCHEDULER_ID = 'reconcile-executions-every';

/** No payload: a run works from the configuration, PostgreSQL and Redis. */
export type ReconcileExecutionsJobData = Record<string, never>;

/** What one run did, kept on the finished job for Bull Board. */
export interface ReconcileExecutionsJobResult {
  /** `queued` executions whose job was missing (or finished) in Redis, enqueued again. */
  requeued: number;
  /** `running` executions abandoned past their timeout, put back to `queued` with attempts left. */
  retried: number;
  /** `running` executions abandoned past their timeout with no attempt left, ended `failed`. */
  failed: number;
  /** `requires_action` executions whose wait for tool outputs ran out, ended `failed`. */
  actionTimeouts: number;
}

export const reconcileExecutionsJobOptions: JobsOptions = {
  attempts: 1,
  removeOnComplete: { count: 100 },
  removeOnFail: { count: 100 },
};
