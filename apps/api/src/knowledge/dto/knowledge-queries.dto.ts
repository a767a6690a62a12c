import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsOptional,
  IsString,
  IsUUID,
  Max,
  MaxLength,
  Min,
} from 'class-validator';
import { KNOWLEDGE_TYPES, KnowledgeType, SearchMode } from '@agentq/knowledge';
import { PageQuery } from '../../common/page.query';

const asList = ({ value }: { value: unknown }) =>
  value === undefined ? undefined : Array.isArray(value) ? value : String(value).split(',');

export class ListKnowledgeQuery extends PageQuery {
  @ApiPropertyOptional({
    enum: KNOWLEDGE_TYPES,
    description: 'one type, or several comma separated',
  })
  @IsOptional()
  @Transform(asList)
  @IsIn(KNOWLEDGE_TYPES, { each: true })
  type?: KnowledgeType[];

  @ApiPropertyOptional({ description: 'entries with any of these tags (comma separated)' })
  @IsOptional()
  @Transform(asList)
  @IsString({ each: true })
  tag?: string[];

  @ApiPropertyOptional({ description: 'entries of any of these collections (comma separated)' })
  @IsOptional()
  @Transform(asList)
  @IsString({ each: true })
  collection?: string[];
}

export const SEARCH_MAX_K = 50;

export class KnowledgeSearchDto {
  @ApiProperty({ maxLength: 2000, example: 'how are retries paced' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(2000)
  query!: string;

  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: SEARCH_MAX_K, default: 10 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(SEARCH_MAX_K)
  k?: number;

  @ApiPropertyOptional({ enum: KNOWLEDGE_TYPES, isArray: true })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @IsIn(KNOWLEDGE_TYPES, { each: true })
  types?: KnowledgeType[];

  @ApiPropertyOptional({ type: [String] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @IsString({ each: true })
  tags?: string[];

  @ApiPropertyOptional({ type: [String] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @IsString({ each: true })
  collections?: string[];

  @ApiPropertyOptional({
    format: 'uuid',
    description: 'search as this agent: only the entries it may see (another tenant’s: 404)',
  })
  @IsOptional()
  @IsUUID()
  agentId?: string;

  @ApiPropertyOptional({ enum: ['lexical', 'semantic', 'hybrid'], default: 'hybrid' })
  @IsOptional()
  @IsIn(['lexical', 'semantic', 'hybrid'])
  mode?: SearchMode;
}

export class MemorySearchDto {
  @ApiProperty({ maxLength: 2000 })
  @IsString()
  @IsNotEmpty()
  @MaxLength(2000)
  query!: string;

  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: SEARCH_MAX_K, default: 10 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(SEARCH_MAX_K)
  k?: number;

  @ApiPropertyOptional({ enum: ['lexical', 'semantic', 'hybrid'], default: 'hybrid' })
  @IsOptional()
  @IsIn(['lexical', 'semantic', 'hybrid'])
  mode?: SearchMode;
}

export class EmbeddingSettingsDto {
  @ApiProperty({ format: 'uuid', description: 'an openai, openai-compatible or echo provider' })
  @IsUUID()
  providerId!: string;

  @ApiProperty({ maxLength: 200, example: 'nomic-embed-text' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  model!: string;
}
