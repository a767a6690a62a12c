import { JobsOptions } from 'bullmq';

export const CONTEXT_MAINTENANCE_JOB = 'context-maintenance';

/** The job scheduler's id: upserting it from every worker keeps one schedule. */
export const CONTEXT_MAINTENANCE_SCHEDULER_ID = 'context-maintenance-every';

/** No payload: every run works from the configuration and the database. */
export type ContextMaintenanceJobData = Record<string, never>;

/** What one run did, kept on the finished job for Bull Board. */
export interface ContextMaintenanceJobResult {
  skipped?: 'another run holds the lock';
  payloadsCleared: number;
  messagesCleared: number;
  memoriesExpired: number;
  memoriesOverCap: number;
  sessionsArchived: number;
  /** Finished webhook deliveries deleted (their attempts with them). */
  webhookDeliveriesDeleted: number;
  scheduleFiringsDeleted: number;
  sessionEventsDeleted: number;
  /** Finished plans deleted (their tasks with them). */
  plansDeleted: number;
  /** Audit log entries past AUDIT_LOG_RETENTION_DAYS. */
  auditEntriesDeleted: number;
  /** Dispatch slots and parked lines (Redis) of agents that no longer exist. */
  dispatchKeysDeleted: number;
}

export const contextMaintenanceJobOptions: JobsOptions = {
  attempts: 1,
  removeOnComplete: { count: 100 },
  removeOnFail: { count: 100 },
};
