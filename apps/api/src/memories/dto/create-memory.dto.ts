import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsInt, IsNotEmpty, IsObject, IsString, Max, MaxLength, Min } from 'class-validator';
import { MEMORY_TYPES, MemoryType } from '@agentq/database';
import { Omittable } from '../../common/omittable.decorator';

export const MEMORY_CONTENT_MAX_CHARS = 10_000;

export class CreateMemoryDto {
  @ApiProperty({ enum: MEMORY_TYPES, example: 'learning' })
  @IsIn(MEMORY_TYPES)
  type!: MemoryType;

  @ApiProperty({
    maxLength: MEMORY_CONTENT_MAX_CHARS,
    example: 'The customer prefers answers in French.',
  })
  @IsString()
  @IsNotEmpty()
  @MaxLength(MEMORY_CONTENT_MAX_CHARS)
  content!: string;

  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 10, default: 5 })
  @Omittable()
  @IsInt()
  @Min(1)
  @Max(10)
  importance?: number;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true, default: {} })
  @Omittable()
  @IsObject()
  metadata?: Record<string, unknown>;
}
