import { ApiProperty } from '@nestjs/swagger';
import { ResponseFormatDto } from '../common/response-format.dto';
import {
  Agent,
  AgentKnowledgeConfig,
  AGENT_STATUSES,
  AgentStatus,
  AgentTool,
  LlmConfig,
  ResponseFormat,
} from '@agentq/database';
import { TOOL_TYPES } from './dto/tool-definition.dto';
import { LlmConfigDto } from './dto/llm-config.dto';
import { AgentKnowledgeDto } from './dto/agent-knowledge.dto';

export class ToolHeaderView {
  @ApiProperty({ description: 'the last 4 characters of the value (the rest is never shown)' })
  last4!: string;
}

export class ToolView {
  @ApiProperty({ enum: TOOL_TYPES }) type!: AgentTool['type'];
  @ApiProperty() name!: string;
  @ApiProperty() description!: string;
  @ApiProperty({ type: 'object', additionalProperties: true }) parameters!: object;
  @ApiProperty({ required: false }) url?: string;
  @ApiProperty({ type: 'integer', nullable: true, required: false }) timeoutMs?: number | null;
  @ApiProperty({
    required: false,
    additionalProperties: { $ref: '#/components/schemas/ToolHeaderView' },
  })
  headers?: Record<string, ToolHeaderView>;
  @ApiProperty({ enum: ['always', 'never'], required: false }) approval?: 'always' | 'never';
}

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
  @ApiProperty({ type: String, nullable: true, description: 'user, apiKey or metadata.<key>' })
  concurrencyKey!: string | null;
  @ApiProperty({ type: 'integer', nullable: true }) maxConcurrencyPerKey!: number | null;
  @ApiProperty({
    type: 'integer',
    nullable: true,
    description: 'submissions a minute per key value',
  })
  rateLimitPerKey!: number | null;
  @ApiProperty({ type: [String] }) capabilities!: string[];
  @ApiProperty({ type: String, nullable: true }) space!: string | null;
  @ApiProperty({ type: String, nullable: true }) budgetDailyUsd!: string | null;
  @ApiProperty({ type: String, nullable: true }) budgetMonthlyUsd!: string | null;
  @ApiProperty({ type: String, nullable: true }) owner!: string | null;
  @ApiProperty() stream!: boolean;
  @ApiProperty({ type: ResponseFormatDto, nullable: true }) responseFormat!: ResponseFormat | null;
  @ApiProperty({ type: [ToolView] }) tools!: ToolView[];
  @ApiProperty({ type: 'integer' }) maxSteps!: number;
  @ApiProperty({ type: 'integer', nullable: true }) actionTimeoutMs!: number | null;
  @ApiProperty({ type: String, nullable: true, description: 'default cap per execution, USD' })
  maxCostUsd!: string | null;
  @ApiProperty({ type: 'integer', nullable: true, description: 'default token cap per execution' })
  maxTokens!: number | null;
  @ApiProperty({ type: String, nullable: true, description: 'the http tool guarding the input' })
  inputGuard!: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'the http tool guarding the output' })
  outputGuard!: string | null;
  @ApiProperty({ type: AgentKnowledgeDto, nullable: true })
  knowledge!: AgentKnowledgeConfig | null;
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
    concurrencyKey: row.concurrencyKey,
    maxConcurrencyPerKey: row.maxConcurrencyPerKey,
    rateLimitPerKey: row.rateLimitPerKey,
    capabilities: row.capabilities ?? [],
    space: row.space,
    budgetDailyUsd: row.budgetDailyUsd,
    budgetMonthlyUsd: row.budgetMonthlyUsd,
    owner: row.owner,
    stream: row.stream,
    responseFormat: row.responseFormat,
    tools: (row.tools ?? []).map(toToolView),
    maxSteps: row.maxSteps,
    actionTimeoutMs: row.actionTimeoutMs,
    maxCostUsd: row.maxCostUsd,
    maxTokens: row.maxTokens,
    inputGuard: row.inputGuard,
    outputGuard: row.outputGuard,
    knowledge: row.knowledge ?? null,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

function toToolView(tool: AgentTool): ToolView {
  const { type, name, description, parameters } = tool;
  if (tool.type === 'client') return { type, name, description, parameters };
  return {
    type,
    name,
    description,
    parameters,
    url: tool.url,
    timeoutMs: tool.timeoutMs,
    approval: tool.approval ?? 'never',
    headers: Object.fromEntries(
      Object.entries(tool.headers).map(([header, sealed]) => [header, { last4: sealed.last4 }]),
    ),
  };
}
