import { ExecutionInput } from '@agentq/database';

/** An agent_schedules row as PostgreSQL returns it. */
export interface ScheduleRow {
  id: string;
  tenant_id: string;
  agent_id: string;
  cron: string;
  timezone: string;
  input: ExecutionInput;
  priority: number;
  max_attempts: number;
  overlap: 'skip' | 'queue';
  enabled: boolean;
  start_at: Date | null;
  end_at: Date | null;
  next_run_at: Date | null;
  last_run_at: Date | null;
  last_execution_id: string | null;
  fired_count: number;
  skipped_count: number;
  last_skipped_at: Date | null;
  last_skip_reason: string | null;
  created_at: Date;
  updated_at: Date;
}

export function toScheduleView(row: ScheduleRow) {
  return {
    id: row.id,
    agentId: row.agent_id,
    cron: row.cron,
    timezone: row.timezone,
    input: row.input,
    priority: row.priority,
    maxAttempts: row.max_attempts,
    overlap: row.overlap,
    enabled: row.enabled,
    startAt: row.start_at,
    endAt: row.end_at,
    nextRunAt: row.next_run_at,
    lastRunAt: row.last_run_at,
    lastExecutionId: row.last_execution_id,
    firedCount: row.fired_count,
    skippedCount: row.skipped_count,
    lastSkippedAt: row.last_skipped_at,
    lastSkipReason: row.last_skip_reason,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export interface FiringRow {
  schedule_id: string;
  fire_time: Date;
  outcome: 'fired' | 'skipped';
  reason: string | null;
  execution_id: string | null;
  manual: boolean;
  created_at: Date;
}

export function toFiringView(row: FiringRow) {
  return {
    fireTime: row.fire_time,
    outcome: row.outcome,
    reason: row.reason,
    executionId: row.execution_id,
    manual: row.manual,
    recordedAt: row.created_at,
  };
}
