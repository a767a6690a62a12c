import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsInt,
  IsOptional,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';
import { TOOL_LIMITS } from '@agentq/tools';
import { LlmConfigDto } from '../../agents/dto/llm-config.dto';
import { ToolDefinitionDto } from '../../agents/dto/tool-definition.dto';
import { ExecutionInputDto } from './submit-execution.dto';

export class RerunExecutionDto {
  @ApiPropertyOptional({
    type: 'integer',
    minimum: 0,
    default: 0,
    description:
      '0 runs from scratch; k copies steps 0..k-1 as committed history (not called or charged ' +
      'again: `reused`) and runs from step k, which must be a model step or the end',
  })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(TOOL_LIMITS.maxSteps * 40)
  fromStep?: number;

  @ApiPropertyOptional({ type: ExecutionInputDto, description: 'instead of the original input' })
  @IsOptional()
  @ValidateNested()
  @Type(() => ExecutionInputDto)
  input?: ExecutionInputDto;

  @ApiPropertyOptional({ type: LlmConfigDto, description: "instead of the agent's llmConfig" })
  @IsOptional()
  @ValidateNested()
  @Type(() => LlmConfigDto)
  llmConfig?: LlmConfigDto;

  @ApiPropertyOptional({ type: [ToolDefinitionDto], description: "instead of the agent's tools" })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(TOOL_LIMITS.tools)
  @ValidateNested({ each: true })
  @Type(() => ToolDefinitionDto)
  tools?: ToolDefinitionDto[];
}
