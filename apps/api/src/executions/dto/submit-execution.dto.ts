import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsBoolean,
  IsIn,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { ACTION_TIMEOUT_LIMITS } from '@agentq/database';
import { MAX_DEBOUNCE_DELAY_MS } from '@agentq/executions';
import { IsCalendarTimestamp } from '../../common/calendar-timestamp';
import { EndUserField, MetadataField, TagsField } from '../../common/attribution.dto';
import { OptionalPositiveUsdAmount } from '../../common/usd-amount.decorator';
import { ResponseFormatDto } from '../../common/response-format.dto';
import { SaveOutputAsDto } from '../../knowledge/dto/save-output-as.dto';

export const EXECUTION_LIMITS = {
  messageChars: 100_000,
  messages: 200,
  maxDelayMs: 30 * 24 * 3_600_000,
  maxAttempts: 20,
  minTimeoutMs: 1_000,
  maxTimeoutMs: 3_600_000,
  maxWaitSeconds: 60,
  maxTokens: 1_000_000_000,
} as const;

export class ChatMessageDto {
  @ApiProperty({ enum: ['system', 'user', 'assistant'] })
  @IsIn(['system', 'user', 'assistant'])
  role!: 'system' | 'user' | 'assistant';

  @ApiProperty({ maxLength: EXECUTION_LIMITS.messageChars })
  @IsString()
  @MaxLength(EXECUTION_LIMITS.messageChars)
  content!: string;
}

/** Submissions with the same key collapse into one execution that starts after the last of them. */
export class DebounceDto {
  @ApiProperty({ minLength: 1, maxLength: 256, example: 'reindex:customer-42' })
  @IsString()
  @Length(1, 256)
  key!: string;

  @ApiProperty({ type: 'integer', minimum: 1, maximum: MAX_DEBOUNCE_DELAY_MS, example: 5_000 })
  @IsInt()
  @Min(1)
  @Max(MAX_DEBOUNCE_DELAY_MS)
  delayMs!: number;
}

/** Either a single `message` or a `messages` conversation. */
export class ExecutionInputDto {
  @ApiPropertyOptional({ example: 'Summarise the attached report in three bullet points.' })
  @IsOptional()
  @IsString()
  @Length(1, EXECUTION_LIMITS.messageChars)
  message?: string;

  @ApiPropertyOptional({ type: [ChatMessageDto] })
  @IsOptional()
  @ArrayMinSize(1)
  @ArrayMaxSize(EXECUTION_LIMITS.messages)
  @ValidateNested({ each: true })
  @Type(() => ChatMessageDto)
  messages?: ChatMessageDto[];
}

export class SubmitExecutionDto {
  @ApiProperty({ type: ExecutionInputDto })
  @ValidateNested()
  @Type(() => ExecutionInputDto)
  input!: ExecutionInputDto;

  @ApiPropertyOptional({
    minimum: 1,
    maximum: 10,
    default: 5,
    description: '10 is the most urgent',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(10)
  priority?: number;

  @ApiPropertyOptional({
    description: 'Run no sooner than this many milliseconds from now (at most 30 days)',
  })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(EXECUTION_LIMITS.maxDelayMs)
  delayMs?: number;

  @ApiPropertyOptional({
    description: 'RFC 3339 time to run at (instead of delayMs), at most 30 days ahead',
  })
  @IsOptional()
  @IsCalendarTimestamp({ maxAheadMs: EXECUTION_LIMITS.maxDelayMs })
  runAt?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: EXECUTION_LIMITS.maxAttempts, default: 3 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(EXECUTION_LIMITS.maxAttempts)
  maxAttempts?: number;

  @ApiPropertyOptional({
    minimum: EXECUTION_LIMITS.minTimeoutMs,
    maximum: EXECUTION_LIMITS.maxTimeoutMs,
  })
  @IsOptional()
  @IsInt()
  @Min(EXECUTION_LIMITS.minTimeoutMs)
  @Max(EXECUTION_LIMITS.maxTimeoutMs)
  timeoutMs?: number;

  @ApiPropertyOptional({
    minimum: ACTION_TIMEOUT_LIMITS.minMs,
    maximum: ACTION_TIMEOUT_LIMITS.maxMs,
    description:
      'how long a requires_action pause waits for tool outputs (default: the agent’s, else 1 h)',
  })
  @IsOptional()
  @IsInt()
  @Min(ACTION_TIMEOUT_LIMITS.minMs)
  @Max(ACTION_TIMEOUT_LIMITS.maxMs)
  actionTimeoutMs?: number;

  @OptionalPositiveUsdAmount(
    "cap on the execution's cost across all its model steps (default: the agent's); " +
      'reaching it fails the execution with cost_limit_exceeded',
  )
  maxCostUsd?: string | null;

  @ApiPropertyOptional({
    type: 'integer',
    nullable: true,
    minimum: 1,
    maximum: EXECUTION_LIMITS.maxTokens,
    description:
      "cap on prompt + completion tokens across all the execution's model steps " +
      "(default: the agent's); reaching it fails the execution with cost_limit_exceeded",
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(EXECUTION_LIMITS.maxTokens)
  maxTokens?: number | null;

  @ApiPropertyOptional({
    type: DebounceDto,
    description:
      'submissions to this agent with the same key collapse into one execution while it has ' +
      "not started: it runs delayMs after the last of them, with the last one's input, and each " +
      'of them answers with its id; not with runAt, delayMs, idempotencyKey or in a batch',
  })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => DebounceDto)
  debounce?: DebounceDto;

  @ApiPropertyOptional({
    description: 'Same key, same execution: a retried submission is not run twice',
  })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  idempotencyKey?: string;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  sessionId?: string;

  @ApiPropertyOptional({
    format: 'uuid',
    description:
      'On success, hand the output to this agent (same tenant) as a new execution in the same session',
  })
  @IsOptional()
  @IsUUID()
  handoffTo?: string;

  @ApiPropertyOptional({
    default: false,
    description: "On success, store the output as a 'conversation' memory of the agent",
  })
  @IsOptional()
  @IsBoolean()
  storeOutputAsMemory?: boolean;

  @ApiPropertyOptional({
    type: SaveOutputAsDto,
    description: 'On success, store the output as a knowledge entry (docs/knowledge.md)',
  })
  @IsOptional()
  @ValidateNested()
  @Type(() => SaveOutputAsDto)
  saveOutputAs?: SaveOutputAsDto;

  @ApiPropertyOptional({
    minimum: 0,
    maximum: EXECUTION_LIMITS.maxWaitSeconds,
    description:
      'Seconds to wait for the result; 200 with the finished execution if it ends in time ' +
      '(202 as soon as it pauses in requires_action)',
  })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(EXECUTION_LIMITS.maxWaitSeconds)
  wait?: number;

  @ApiPropertyOptional({
    description:
      "Stream output deltas to GET /v1/executions/:id/stream (default: the agent's `stream`)",
  })
  @IsOptional()
  @IsBoolean()
  stream?: boolean;

  @ApiPropertyOptional({
    type: ResponseFormatDto,
    description: "Structured output (default: the agent's `responseFormat`)",
  })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => ResponseFormatDto)
  responseFormat?: ResponseFormatDto;

  @EndUserField()
  user?: string;

  @TagsField()
  tags?: string[];

  @MetadataField()
  metadata?: Record<string, unknown>;
}

export class SubmitExecutionBatchDto {
  @ApiProperty({ type: [SubmitExecutionDto], maxItems: 1000 })
  @ArrayMinSize(1)
  @ArrayMaxSize(1000)
  @ValidateNested({ each: true })
  @Type(() => SubmitExecutionDto)
  executions!: SubmitExecutionDto[];
}
