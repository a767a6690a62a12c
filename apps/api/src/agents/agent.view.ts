import { ApiProperty } from '@nestjs/swagger';
import { Agent, AGENT_STATUSES, AgentStatus, LlmConfig, ResponseFormat } from '@agentq/database';
import { ResponseFormatDto } from '../common/response-format.dto';
import { LlmConfigDto } from './dto/llm-config.dto';

export class AgentView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() name!: string;
  @ApiProperty() role!: string;
  @ApiProperty({ type: String, nullable: true }) backstory!: string | null;
  @ApiProperty({ type: String, nullable: true }) goal!: string | null;
  @ApiProperty({ type: String, nullable: true }) description!: string | null;
  @ApiProperty({ format: 'uuid' }) providerId!: string;
  @ApiProperty({ type: LlmConfigDto }) llmConfig!: LlmConfig;
  @ApiProperty({ enum: AGENT_STATUSES }) status!: AgentStatus;
  @ApiProperty() enableMemory!: boolean;
  @ApiProperty({ type: 'integer', nullable: true }) maxConcurrency!: number | null;
  @ApiProperty({ type: [String] }) capabilities!: string[];
  @ApiProperty({ type: String, nullable: true }) space!: string | null;
  @ApiProperty({ type: String, nullable: true }) budgetDailyUsd!: string | null;
  @ApiProperty({ type: String, nullable: true }) budgetMonthlyUsd!: string | null;
  @ApiProperty({ type: String, nullable: true }) owner!: string | null;
  @ApiProperty() stream!: boolean;
  @ApiProperty({ type: ResponseFormatDto, nullable: true }) responseFormat!: ResponseFormat | null;
  @ApiProperty() createdAt!: Date;
  @ApiProperty() updatedAt!: Date;
}

export class AgentPage {
  @ApiProperty({ type: [AgentView] }) data!: AgentView[];
  @ApiProperty({ type: String, nullable: true, description: 'pass as ?cursor= for the next page' })
  nextCursor!: string | null;
}

export function toAgentView(row: Agent): AgentView {
  return {
    id: row.id,
    name: row.name,
    role: row.role,
    backstory: row.backstory,
    goal: row.goal,
    description: row.description,
    providerId: row.providerId,
    llmConfig: row.llmConfig,
    status: row.status,
    enableMemory: row.enableMemory,
    maxConcurrency: row.maxConcurrency,
    capabilities: row.capabilities ?? [],
    space: row.space,
    budgetDailyUsd: row.budgetDailyUsd,
    budgetMonthlyUsd: row.budgetMonthlyUsd,
    owner: row.owner,
    stream: row.stream,
    responseFormat: row.responseFormat,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}
