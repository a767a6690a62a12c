import { ApiProperty } from '@nestjs/swagger';
import { ExecutionInput } from '@agentq/database';
import { AttributionRecord } from '@agentq/executions';
import { SCHEDULE_SKIP_REASONS } from '@agentq/schedules';
import { EXECUTION_LIMITS, ExecutionInputDto } from '../executions/dto/submit-execution.dto';
import { OVERLAP_POLICIES, OverlapPolicy } from './dto/create-schedule.dto';

/** An agent_schedules row as PostgreSQL returns it; its attribution is stamped on every firing. */
export interface ScheduleRow extends AttributionRecord {
  id: string;
  tenant_id: string;
  agent_id: string;
  cron: string;
  timezone: string;
  input: ExecutionInput;
  priority: number;
  max_attempts: number;
  overlap: OverlapPolicy;
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

export const FIRING_OUTCOMES = ['fired', 'skipped'] as const;
export type FiringOutcome = (typeof FIRING_OUTCOMES)[number];

export interface FiringRow {
  schedule_id: string;
  fire_time: Date;
  outcome: FiringOutcome;
  reason: string | null;
  execution_id: string | null;
  manual: boolean;
  created_at: Date;
}

/** The public shape of a schedule (GET /v1/schedules/:id). */
export class ScheduleView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) agentId!: string;
  @ApiProperty({ example: '*/5 * * * *' }) cron!: string;
  @ApiProperty({ example: 'Europe/Paris', description: 'IANA time zone' }) timezone!: string;
  @ApiProperty({ type: ExecutionInputDto, description: 'the input of every execution it creates' })
  input!: ExecutionInput;
  @ApiProperty({ type: 'integer', minimum: 1, maximum: 10 }) priority!: number;
  @ApiProperty({ type: 'integer', minimum: 1, maximum: EXECUTION_LIMITS.maxAttempts })
  maxAttempts!: number;
  @ApiProperty({ enum: OVERLAP_POLICIES }) overlap!: OverlapPolicy;
  @ApiProperty() enabled!: boolean;
  @ApiProperty({ type: Date, nullable: true }) startAt!: Date | null;
  @ApiProperty({ type: Date, nullable: true }) endAt!: Date | null;
  @ApiProperty({
    type: Date,
    nullable: true,
    description: 'null while disabled, or once no fire time is left before endAt',
  })
  nextRunAt!: Date | null;
  @ApiProperty({ type: Date, nullable: true }) lastRunAt!: Date | null;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) lastExecutionId!: string | null;
  @ApiProperty({ type: 'integer' }) firedCount!: number;
  @ApiProperty({ type: 'integer' }) skippedCount!: number;
  @ApiProperty({ type: Date, nullable: true }) lastSkippedAt!: Date | null;
  @ApiProperty({ enum: SCHEDULE_SKIP_REASONS, nullable: true }) lastSkipReason!: string | null;
  @ApiProperty() createdAt!: Date;
  @ApiProperty() updatedAt!: Date;
  @ApiProperty({
    type: String,
    format: 'uuid',
    nullable: true,
    description: 'the key that created it',
  })
  apiKeyId!: string | null;
  @ApiProperty({ type: String, nullable: true }) user!: string | null;
  @ApiProperty({ type: [String] }) tags!: string[];
  @ApiProperty({ type: 'object', additionalProperties: true }) metadata!: Record<string, unknown>;
}

export class SchedulePage {
  @ApiProperty({ type: [ScheduleView] }) data!: ScheduleView[];
  @ApiProperty({ type: String, nullable: true, description: 'pass as ?cursor= for the next page' })
  nextCursor!: string | null;
}

/** One fire time of a schedule: an execution was created, or it was skipped. */
export class ScheduleFiringView {
  @ApiProperty() fireTime!: Date;
  @ApiProperty({ enum: FIRING_OUTCOMES }) outcome!: FiringOutcome;
  @ApiProperty({
    type: String,
    nullable: true,
    example: 'overlap: execution 3f2a9c4e-5d1b-4e8f-9a7c-2b6d0e1f4a3b is still running',
    description: 'for a skipped fire time, `<reason>: <message>`',
  })
  reason!: string | null;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) executionId!: string | null;
  @ApiProperty({ description: 'true for POST /v1/schedules/:id/trigger' }) manual!: boolean;
  @ApiProperty() recordedAt!: Date;
}

export class ScheduleFiringPage {
  @ApiProperty({ type: [ScheduleFiringView] }) data!: ScheduleFiringView[];
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'pass as ?cursor= for the next page (the last fireTime of this one)',
  })
  nextCursor!: string | null;
}

export function toScheduleView(row: ScheduleRow): ScheduleView {
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
    apiKeyId: row.api_key_id,
    user: row.end_user,
    tags: row.tags ?? [],
    metadata: row.metadata ?? {},
  };
}

export function toFiringView(row: FiringRow): ScheduleFiringView {
  return {
    fireTime: row.fire_time,
    outcome: row.outcome,
    reason: row.reason,
    executionId: row.execution_id,
    manual: row.manual,
    recordedAt: row.created_at,
  };
}
