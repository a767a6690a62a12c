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
import { AGENT_STATUSES, AgentStatus } from '@agentq/database';
import { Omittable } from '../../common/omittable.decorator';
import { ResponseFormatDto } from '../../common/response-format.dto';
import { OptionalUsdAmount } from '../../common/usd-amount.decorator';
import { LlmConfigDto } from './llm-config.dto';

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

  @OptionalUsdAmount('spend limit per UTC day; an attempt over it fails with budget_exceeded')
  budgetDailyUsd?: string | null;

  @OptionalUsdAmount('spend limit per calendar month (UTC)')
  budgetMonthlyUsd?: string | null;

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
