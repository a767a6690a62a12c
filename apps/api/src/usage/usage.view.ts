import { ApiProperty } from '@nestjs/swagger';
import { USAGE_DIMENSIONS, UsageDimension } from './dto/usage.query';

export class AgentStatsView {
  @ApiProperty({ format: 'uuid' }) agentId!: string;
  @ApiProperty({ type: 'integer', description: 'executions running now' }) running!: number;
  @ApiProperty({
    type: 'integer',
    description:
      'executions queued: not started yet (including scheduled ones and those waiting for a concurrency slot, a rate-limit turn or a provider pause) or waiting between attempts',
  })
  waiting!: number;
  @ApiProperty({ type: 'integer' }) totalExecutions!: number;
  @ApiProperty({ type: 'integer' }) successfulExecutions!: number;
  @ApiProperty({ type: 'integer' }) failedExecutions!: number;
  @ApiProperty({ type: 'integer' }) cancelledExecutions!: number;
  @ApiProperty({ type: 'integer' }) promptTokens!: number;
  @ApiProperty({ type: 'integer' }) completionTokens!: number;
  @ApiProperty({ type: 'integer' }) totalTokens!: number;
  @ApiProperty({ example: '0.000120000', description: 'USD, decimal string' })
  totalCostUsd!: string;
  @ApiProperty({ type: 'integer', nullable: true }) avgResponseTimeMs!: number | null;
  @ApiProperty({ type: 'integer', description: 'UTC day' }) executionsToday!: number;
  @ApiProperty({ type: 'integer', description: 'since Monday, UTC' }) executionsThisWeek!: number;
  @ApiProperty({ type: 'integer', description: 'UTC calendar month' })
  executionsThisMonth!: number;
  @ApiProperty({ type: Date, nullable: true }) lastExecutedAt!: Date | null;
}

/** One group: the dimensions asked for in groupBy are present, the others absent. */
export class UsageRowView {
  @ApiProperty({ required: false, type: String, format: 'uuid', nullable: true })
  agentId?: string | null;
  @ApiProperty({ required: false, example: '2026-01-31' }) day?: string;
  @ApiProperty({ required: false, description: "'' when no model was recorded" })
  model?: string;
  @ApiProperty({ required: false, type: String, nullable: true, description: 'the end user' })
  user?: string | null;
  @ApiProperty({ required: false, type: String, format: 'uuid', nullable: true })
  apiKeyId?: string | null;
  @ApiProperty({ required: false }) tag?: string;
  @ApiProperty({ type: 'integer' }) executions!: number;
  @ApiProperty({ type: 'integer' }) succeeded!: number;
  @ApiProperty({ type: 'integer' }) failed!: number;
  @ApiProperty({ type: 'integer' }) cancelled!: number;
  @ApiProperty({ type: 'integer' }) promptTokens!: number;
  @ApiProperty({ type: 'integer' }) completionTokens!: number;
  @ApiProperty({ type: 'integer' }) totalTokens!: number;
  @ApiProperty({ description: 'USD, decimal string' }) costUsd!: string;
  @ApiProperty({ type: 'integer', nullable: true }) avgDurationMs!: number | null;
}

/** Plans created in the period: how many, their tasks, and what their executions used. */
export class PlansUsageView {
  @ApiProperty({ type: 'integer' }) plans!: number;
  @ApiProperty({ type: 'integer' }) tasks!: number;
  @ApiProperty({ type: 'integer' }) promptTokens!: number;
  @ApiProperty({ type: 'integer' }) completionTokens!: number;
  @ApiProperty({ type: 'integer' }) totalTokens!: number;
  @ApiProperty({ description: 'USD, decimal string' }) costUsd!: string;
}

export class UsageReportView {
  @ApiProperty({ type: PlansUsageView, description: 'plans created in the period' })
  plans!: PlansUsageView;
  @ApiProperty({ example: '2026-01-01' }) from!: string;
  @ApiProperty({ example: '2026-01-31' }) to!: string;
  @ApiProperty({ enum: USAGE_DIMENSIONS, isArray: true }) groupBy!: UsageDimension[];
  @ApiProperty({ type: [UsageRowView] }) data!: UsageRowView[];
}
