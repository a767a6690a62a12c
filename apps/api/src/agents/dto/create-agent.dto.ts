import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  Matches,
  IsBoolean,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { ACTION_TIMEOUT_LIMITS, AGENT_STATUSES, AgentStatus } from '@agentq/database';
import { CONCURRENCY_KEY_PATTERN } from '@agentq/executions';
import { TOOL_LIMITS, TOOL_NAME_PATTERN } from '@agentq/tools';
import { Omittable } from '../../common/omittable.decorator';
import { ResponseFormatDto } from '../../common/response-format.dto';
import { OptionalPositiveUsdAmount, OptionalUsdAmount } from '../../common/usd-amount.decorator';
import { EXECUTION_LIMITS } from '../../executions/dto/submit-execution.dto';
import { AgentKnowledgeDto } from './agent-knowledge.dto';
import { LlmConfigDto } from './llm-config.dto';
import { ToolDefinitionDto } from './tool-definition.dto';

const LONG_TEXT = 20_000;

export class CreateAgentDto {
  @ApiProperty({ example: 'support-triage', maxLength: 200 })
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name!: string;

  @ApiProperty({ example: 'Customer support triager', maxLength: 2_000 })
  @IsString()
  @IsNotEmpty()
  @MaxLength(2_000)
  role!: string;

  @ApiPropertyOptional({ type: String, nullable: true, maxLength: LONG_TEXT })
  @IsOptional()
  @IsString()
  @MaxLength(LONG_TEXT)
  backstory?: string | null;

  @ApiPropertyOptional({ type: String, nullable: true, maxLength: LONG_TEXT })
  @IsOptional()
  @IsString()
  @MaxLength(LONG_TEXT)
  goal?: string | null;

  @ApiPropertyOptional({ type: String, nullable: true, maxLength: LONG_TEXT })
  @IsOptional()
  @IsString()
  @MaxLength(LONG_TEXT)
  description?: string | null;

  @ApiPropertyOptional({ format: 'uuid', description: "defaults to the tenant's default provider" })
  @Omittable()
  @IsUUID()
  providerId?: string;

  @ApiProperty({ type: LlmConfigDto })
  @IsObject()
  @ValidateNested()
  @Type(() => LlmConfigDto)
  llmConfig!: LlmConfigDto;

  @ApiPropertyOptional({ enum: AGENT_STATUSES, default: 'active' })
  @Omittable()
  @IsIn(AGENT_STATUSES)
  status?: AgentStatus;

  @ApiPropertyOptional({ default: false })
  @Omittable()
  @IsBoolean()
  enableMemory?: boolean;

  @ApiPropertyOptional({
    type: [String],
    example: ['research', 'writing'],
    description: 'what plan tasks may ask for: at most 50, each 1-64 of a-z A-Z 0-9 _ . : -',
  })
  @Omittable()
  @IsArray()
  @ArrayMaxSize(50)
  @Matches(/^[A-Za-z0-9_.:-]{1,64}$/, { each: true })
  capabilities?: string[];

  @ApiPropertyOptional({ type: 'integer', nullable: true, minimum: 1, maximum: 10_000 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(10_000)
  maxConcurrency?: number | null;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    example: 'user',
    description:
      'what the per-key limits count by: `user` (the end user), `apiKey` (the submitting key) or ' +
      '`metadata.<key>` (a top-level metadata entry, key 1-64 of A-Z a-z 0-9 _ . : -)',
  })
  @IsOptional()
  @IsString()
  @Matches(CONCURRENCY_KEY_PATTERN)
  concurrencyKey?: string | null;

  @ApiPropertyOptional({
    type: 'integer',
    nullable: true,
    minimum: 1,
    maximum: 10_000,
    description: 'at most this many executions per concurrencyKey value run at once, cluster-wide',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(10_000)
  maxConcurrencyPerKey?: number | null;

  @ApiPropertyOptional({
    type: 'integer',
    nullable: true,
    minimum: 1,
    maximum: 10_000,
    description:
      'submissions a minute per concurrencyKey value; beyond it 429 rate_limited with Retry-After',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(10_000)
  rateLimitPerKey?: number | null;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    maxLength: 200,
    description: 'free-form grouping label',
  })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  space?: string | null;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    maxLength: 200,
    description: 'free-form owner label',
  })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  owner?: string | null;

  @ApiPropertyOptional({
    type: [ToolDefinitionDto],
    maxItems: TOOL_LIMITS.tools,
    description: 'tools the model may call; names unique; a PATCH replaces the whole list',
  })
  @Omittable()
  @IsArray()
  @ArrayMaxSize(TOOL_LIMITS.tools)
  @ValidateNested({ each: true })
  @Type(() => ToolDefinitionDto)
  tools?: ToolDefinitionDto[];

  @ApiPropertyOptional({
    type: 'integer',
    minimum: TOOL_LIMITS.minSteps,
    maximum: TOOL_LIMITS.maxSteps,
    default: 8,
    description: 'model calls one execution may make; one more fails it (max_steps_exceeded)',
  })
  @Omittable()
  @IsInt()
  @Min(TOOL_LIMITS.minSteps)
  @Max(TOOL_LIMITS.maxSteps)
  maxSteps?: number;

  @ApiPropertyOptional({
    type: 'integer',
    nullable: true,
    minimum: ACTION_TIMEOUT_LIMITS.minMs,
    maximum: ACTION_TIMEOUT_LIMITS.maxMs,
    description: 'how long a requires_action pause waits for tool outputs (default 1 h)',
  })
  @IsOptional()
  @IsInt()
  @Min(ACTION_TIMEOUT_LIMITS.minMs)
  @Max(ACTION_TIMEOUT_LIMITS.maxMs)
  actionTimeoutMs?: number | null;

  @ApiPropertyOptional({
    type: AgentKnowledgeDto,
    nullable: true,
    description: 'the knowledge base entries put into its prompts (docs/knowledge.md)',
  })
  @IsOptional()
  @ValidateNested()
  @Type(() => AgentKnowledgeDto)
  knowledge?: AgentKnowledgeDto | null;

  @OptionalUsdAmount('spend limit per UTC day; an attempt over it fails with budget_exceeded')
  budgetDailyUsd?: string | null;

  @OptionalUsdAmount('spend limit per calendar month (UTC)')
  budgetMonthlyUsd?: string | null;

  @OptionalPositiveUsdAmount(
    'default cap on one execution’s cost across its model steps (cost_limit_exceeded)',
  )
  maxCostUsd?: string | null;

  @ApiPropertyOptional({
    type: 'integer',
    nullable: true,
    minimum: 1,
    maximum: EXECUTION_LIMITS.maxTokens,
    description:
      'default cap on one execution’s prompt + completion tokens across its model steps ' +
      '(llmConfig.maxTokens bounds each call)',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(EXECUTION_LIMITS.maxTokens)
  maxTokens?: number | null;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    description:
      'an http tool of the agent called with {"input": …} before any model call; ' +
      'an answer other than {"allow": true} fails the execution (guardrail_refused)',
  })
  @IsOptional()
  @IsString()
  @Matches(TOOL_NAME_PATTERN)
  inputGuard?: string | null;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    description:
      'an http tool of the agent called with {"output": …} before the answer is stored as ' +
      'succeeded; an answer other than {"allow": true} fails it (guardrail_refused)',
  })
  @IsOptional()
  @IsString()
  @Matches(TOOL_NAME_PATTERN)
  outputGuard?: string | null;

  @ApiPropertyOptional({
    default: false,
    description: 'stream output deltas to GET /v1/executions/:id/stream unless a submission says',
  })
  @Omittable()
  @IsBoolean()
  stream?: boolean;

  @ApiPropertyOptional({
    type: ResponseFormatDto,
    nullable: true,
    description: 'structured output for executions that do not set their own',
  })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => ResponseFormatDto)
  responseFormat?: ResponseFormatDto | null;
}
