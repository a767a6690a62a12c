import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Max,
  MaxLength,
  Min,
} from 'class-validator';
import { AGENT_KNOWLEDGE_LIMITS, KNOWLEDGE_TYPES } from '@agentq/knowledge';

/** What the agent draws on from the knowledge base before each model call. */
export class AgentKnowledgeDto {
  @ApiProperty({ description: 'put the top entries for the input into the system prompt' })
  @IsBoolean()
  enabled!: boolean;

  @ApiPropertyOptional({ type: [String], description: 'only these collections (notebooks)' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @IsString({ each: true })
  @MaxLength(200, { each: true })
  collections?: string[];

  @ApiPropertyOptional({ enum: KNOWLEDGE_TYPES, isArray: true })
  @IsOptional()
  @IsArray()
  @IsIn(KNOWLEDGE_TYPES, { each: true })
  types?: string[];

  @ApiPropertyOptional({ type: [String] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @IsString({ each: true })
  tags?: string[];

  @ApiProperty({ type: 'integer', minimum: 1, maximum: AGENT_KNOWLEDGE_LIMITS.topK, example: 5 })
  @IsInt()
  @Min(1)
  @Max(AGENT_KNOWLEDGE_LIMITS.topK)
  topK!: number;

  @ApiProperty({
    type: 'integer',
    minimum: 50,
    maximum: AGENT_KNOWLEDGE_LIMITS.maxTokens,
    example: 1500,
    description: 'tokens of knowledge the system prompt may take at most',
  })
  @IsInt()
  @Min(50)
  @Max(AGENT_KNOWLEDGE_LIMITS.maxTokens)
  maxTokens!: number;
}
