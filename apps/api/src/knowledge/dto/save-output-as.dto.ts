import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  IsArray,
  IsIn,
  IsNotEmpty,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
} from 'class-validator';
import { KNOWLEDGE_TYPES, KnowledgeType } from '@agentq/knowledge';

/** On success, the output is stored as a knowledge entry (visible to the tenant). */
export class SaveOutputAsDto {
  @ApiProperty({ enum: KNOWLEDGE_TYPES })
  @IsIn(KNOWLEDGE_TYPES)
  type!: KnowledgeType;

  @ApiProperty({ maxLength: 500 })
  @IsString()
  @IsNotEmpty()
  @MaxLength(500)
  title!: string;

  @ApiPropertyOptional({ type: [String], maxItems: 50 })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @Matches(/^[\p{L}\p{N}_.:/-]{1,64}$/u, {
    each: true,
    message: 'each tag is 1 to 64 letters, digits or _.:/-',
  })
  tags?: string[];

  @ApiPropertyOptional({ type: String, maxLength: 200, nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  collection?: string | null;
}
