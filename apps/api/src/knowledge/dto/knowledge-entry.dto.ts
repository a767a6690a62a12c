import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsIn,
  IsNotEmpty,
  IsNumber,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import {
  KNOWLEDGE_TYPES,
  KNOWLEDGE_VISIBILITIES,
  KnowledgeType,
  KnowledgeVisibility,
} from '@agentq/knowledge';
import { Omittable } from '../../common/omittable.decorator';

const SOURCE_KINDS = ['execution', 'plan_task', 'reference'] as const;

export class KnowledgeSourceDto {
  @ApiProperty({ enum: SOURCE_KINDS })
  @IsIn(SOURCE_KINDS)
  kind!: (typeof SOURCE_KINDS)[number];

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  executionId?: string;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  planId?: string;

  @ApiPropertyOptional({ maxLength: 200 })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  taskKey?: string;

  @ApiPropertyOptional({ maxLength: 2000, description: 'a URL, a file path, a ticket...' })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  reference?: string;
}

const TAG = /^[\p{L}\p{N}_.:/-]{1,64}$/u;

export class CreateKnowledgeEntryDto {
  @ApiProperty({ enum: KNOWLEDGE_TYPES, example: 'documentation' })
  @IsIn(KNOWLEDGE_TYPES)
  type!: KnowledgeType;

  @ApiProperty({ maxLength: 500, example: 'How retries work' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(500)
  title!: string;

  @ApiProperty({
    description:
      'text or markdown, at most 1 MiB (UTF-8). A `template` may hold `{{input.<path>}}` placeholders.',
  })
  @IsString()
  @IsNotEmpty()
  content!: string;

  @ApiPropertyOptional({ type: [String], maxItems: 50, default: [] })
  @Omittable()
  @IsArray()
  @ArrayMaxSize(50)
  @Matches(TAG, { each: true, message: 'each tag is 1 to 64 letters, digits or _.:/-' })
  tags?: string[];

  @ApiPropertyOptional({
    enum: KNOWLEDGE_VISIBILITIES,
    default: 'tenant',
    description:
      'tenant: every agent of the tenant; agents: those in agentIds; private: ownerAgentId only',
  })
  @Omittable()
  @IsIn(KNOWLEDGE_VISIBILITIES)
  visibility?: KnowledgeVisibility;

  @ApiPropertyOptional({ type: [String], format: 'uuid', maxItems: 100, default: [] })
  @Omittable()
  @IsArray()
  @ArrayMaxSize(100)
  @IsUUID('all', { each: true })
  agentIds?: string[];

  @ApiPropertyOptional({ type: String, format: 'uuid', nullable: true })
  @IsOptional()
  @IsUUID()
  ownerAgentId?: string | null;

  @ApiPropertyOptional({ type: Number, minimum: 0, maximum: 1, nullable: true })
  @IsOptional()
  @IsNumber()
  @Min(0)
  @Max(1)
  confidence?: number | null;

  @ApiPropertyOptional({ type: KnowledgeSourceDto, nullable: true })
  @IsOptional()
  @ValidateNested()
  @Type(() => KnowledgeSourceDto)
  source?: KnowledgeSourceDto | null;

  @ApiPropertyOptional({
    type: String,
    maxLength: 200,
    nullable: true,
    description: 'a named group (notebook) an agent can attach',
  })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  collection?: string | null;
}

/** Every field optional; a change of type, title, content, tags, confidence or collection is a new version. */
export class UpdateKnowledgeEntryDto extends PartialType(CreateKnowledgeEntryDto, {
  skipNullProperties: false,
}) {}

export class RenderTemplateDto {
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: 'what {{input.<path>}} reads',
  })
  @IsOptional()
  values?: Record<string, unknown>;
}
