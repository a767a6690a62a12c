import { ApiProperty } from '@nestjs/swagger';
import { PlanDetails } from '@agentq/plans';
import { FAILURE_POLICIES } from './dto/create-plan.dto';
import { PLAN_STATUSES } from './dto/list-plans.query';

const TASK_STATUSES = [
  'pending',
  'queued',
  'running',
  'succeeded',
  'failed',
  'cancelled',
  'skipped',
] as const;

class PlanProgressView {
  @ApiProperty({ type: 'integer' }) total!: number;
  @ApiProperty({ type: 'integer' }) pending!: number;
  @ApiProperty({ type: 'integer' }) queued!: number;
  @ApiProperty({ type: 'integer' }) running!: number;
  @ApiProperty({ type: 'integer' }) succeeded!: number;
  @ApiProperty({ type: 'integer' }) failed!: number;
  @ApiProperty({ type: 'integer' }) cancelled!: number;
  @ApiProperty({ type: 'integer' }) skipped!: number;
}

class PlanUsageView {
  @ApiProperty({ type: 'integer' }) promptTokens!: number;
  @ApiProperty({ type: 'integer' }) completionTokens!: number;
  @ApiProperty({ type: 'integer' }) totalTokens!: number;
  @ApiProperty({ example: '0.000012000', description: 'USD, decimal string' }) costUsd!: string;
}

class PlanTaskView {
  @ApiProperty() key!: string;
  @ApiProperty({ type: String, nullable: true }) title!: string | null;
  @ApiProperty({
    enum: TASK_STATUSES,
    description: 'pending until its dependencies succeed, then its execution status, or skipped',
  })
  status!: (typeof TASK_STATUSES)[number];
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) agentId!: string | null;
  @ApiProperty({ type: String, nullable: true }) capability!: string | null;
  @ApiProperty({ type: [String] }) dependsOn!: string[];
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) executionId!: string | null;
  @ApiProperty({ type: 'object', additionalProperties: true, nullable: true })
  output!: Record<string, unknown> | null;
  @ApiProperty({ type: 'object', additionalProperties: true, nullable: true })
  error!: Record<string, unknown> | null;
  @ApiProperty({ type: Date, nullable: true }) startedAt!: Date | null;
  @ApiProperty({ type: Date, nullable: true }) completedAt!: Date | null;
}

/** The public shape of a plan (GET /v1/plans/:id). */
export class PlanView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) projectId!: string | null;
  @ApiProperty() title!: string;
  @ApiProperty({ type: String, nullable: true }) description!: string | null;
  @ApiProperty({ type: 'object', additionalProperties: true }) input!: Record<string, unknown>;
  @ApiProperty({ enum: PLAN_STATUSES }) status!: (typeof PLAN_STATUSES)[number];
  @ApiProperty({ enum: FAILURE_POLICIES }) failurePolicy!: (typeof FAILURE_POLICIES)[number];
  @ApiProperty({ type: PlanProgressView }) progress!: PlanProgressView;
  @ApiProperty({ type: PlanUsageView }) usage!: PlanUsageView;
  @ApiProperty({ type: [PlanTaskView] }) tasks!: PlanTaskView[];
  @ApiProperty() createdAt!: Date;
  @ApiProperty({ type: Date, nullable: true }) completedAt!: Date | null;
}

export class PlanPage {
  @ApiProperty({ type: [PlanView] }) data!: PlanView[];
  @ApiProperty({ type: String, nullable: true }) nextCursor!: string | null;
}

export function toPlanView(plan: PlanDetails): PlanView {
  return plan;
}
