import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  IsIn,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateIf,
} from 'class-validator';
import { TOOL_APPROVALS, ToolApproval } from '@agentq/database';
import { TOOL_LIMITS, TOOL_NAME_PATTERN } from '@agentq/tools';

export const TOOL_TYPES = ['http', 'client'] as const;

export class ToolDefinitionDto {
  @ApiProperty({
    enum: TOOL_TYPES,
    description: 'http: the worker POSTs the call to `url`, signed; client: the execution pauses',
  })
  @IsIn(TOOL_TYPES)
  type!: (typeof TOOL_TYPES)[number];

  @ApiProperty({ example: 'get_weather', pattern: TOOL_NAME_PATTERN.source })
  @IsString()
  @Matches(TOOL_NAME_PATTERN)
  name!: string;

  @ApiPropertyOptional({ maxLength: TOOL_LIMITS.descriptionChars, default: '' })
  @IsOptional()
  @IsString()
  @MaxLength(TOOL_LIMITS.descriptionChars)
  description?: string;

  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: 'a JSON Schema of an object: the arguments',
    example: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  })
  @IsObject()
  parameters!: Record<string, unknown>;

  @ApiPropertyOptional({ description: 'http tools: where the worker POSTs each call' })
  @ValidateIf((tool: ToolDefinitionDto) => tool.type === 'http' || tool.url !== undefined)
  @IsString()
  @MaxLength(2_048)
  url?: string;

  @ApiPropertyOptional({
    minimum: TOOL_LIMITS.minTimeoutMs,
    maximum: TOOL_LIMITS.maxTimeoutMs,
    default: TOOL_LIMITS.defaultTimeoutMs,
  })
  @IsOptional()
  @IsInt()
  @Min(TOOL_LIMITS.minTimeoutMs)
  @Max(TOOL_LIMITS.maxTimeoutMs)
  timeoutMs?: number;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: { type: 'string' },
    description: 'http tools: headers sent with each call; values are stored encrypted',
  })
  @IsOptional()
  @IsObject()
  headers?: Record<string, string>;

  @ApiPropertyOptional({
    enum: TOOL_APPROVALS,
    default: 'never',
    description:
      'http tools: `always` pauses the execution in requires_action (requiredAction.type ' +
      '"approval") until each call is approved or denied',
  })
  @ValidateIf((tool: ToolDefinitionDto) => tool.type === 'http' || tool.approval !== undefined)
  @IsOptional()
  @IsIn(TOOL_APPROVALS)
  approval?: ToolApproval;
}
