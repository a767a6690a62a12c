import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMinSize,
  IsArray,
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
import { EndUserField, MetadataField, TagsField } from '../../common/attribution.dto';
import { EXECUTION_LIMITS, ExecutionInputDto } from '../../executions/dto/submit-execution.dto';
import { SaveOutputAsDto } from '../../knowledge/dto/save-output-as.dto';

export const FAILURE_POLICIES = ['fail_fast', 'continue'] as const;

export class PlanTaskDto {
  @ApiProperty({ example: 'research', description: 'unique in the plan: 1-64 of A-Z a-z 0-9 _ -' })
  @IsString()
  key!: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(500)
  title?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'the agent to run it (or a capability)' })
  @IsOptional()
  @IsUUID()
  agentId?: string;

  @ApiPropertyOptional({
    example: 'writing',
    description: 'run by the least loaded active agent with this capability when it is ready',
  })
  @IsOptional()
  @IsString()
  @Length(1, 64)
  capability?: string;

  @ApiProperty({
    type: ExecutionInputDto,
    description:
      'may contain {{plan.input.<path>}} and {{tasks.<key>.output.text}} of tasks it depends on',
  })
  @ValidateNested()
  @Type(() => ExecutionInputDto)
  input!: ExecutionInputDto;

  @ApiPropertyOptional({ type: [String], description: 'keys of tasks that must succeed first' })
  @IsOptional()
  @IsArray()
  @IsString({ each: true })
  dependsOn?: string[];

  @ApiPropertyOptional({ minimum: 1, maximum: 10, default: 5 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(10)
  priority?: number;

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
    type: SaveOutputAsDto,
    description: 'On success, store the task’s output as a knowledge entry (docs/knowledge.md)',
  })
  @IsOptional()
  @ValidateNested()
  @Type(() => SaveOutputAsDto)
  saveOutputAs?: SaveOutputAsDto;
}

export class CreatePlanDto {
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  projectId?: string;

  @ApiProperty({ example: 'Write a post' })
  @IsString()
  @Length(1, 500)
  title!: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(10_000)
  description?: string;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description: 'what {{plan.input.<path>}} placeholders read',
  })
  @IsOptional()
  @IsObject()
  input?: Record<string, unknown>;

  @ApiPropertyOptional({ enum: FAILURE_POLICIES, default: 'fail_fast' })
  @IsOptional()
  @IsIn(FAILURE_POLICIES)
  failurePolicy?: (typeof FAILURE_POLICIES)[number];

  @ApiPropertyOptional({ description: 'same key, same plan' })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  idempotencyKey?: string;

  @EndUserField()
  user?: string;

  @TagsField()
  tags?: string[];

  @MetadataField()
  metadata?: Record<string, unknown>;

  @ApiProperty({ type: [PlanTaskDto], description: 'at most 1,000' })
  @IsArray()
  @ArrayMinSize(1)
  @ValidateNested({ each: true })
  @Type(() => PlanTaskDto)
  tasks!: PlanTaskDto[];
}
