import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import { MEMORY_TYPES, MemoryType } from '@agentq/database';
import { PageQuery } from '../../common/page.query';

export class ListMemoriesQuery extends PageQuery {
  @ApiPropertyOptional({
    description:
      'Full-text search (web-search syntax: words, "phrases", or, -word). Results are ranked by ' +
      'text rank, then importance, then recency, and come as one page (no nextCursor).',
    maxLength: 500,
  })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  q?: string;

  @ApiPropertyOptional({ enum: MEMORY_TYPES })
  @IsOptional()
  @IsIn(MEMORY_TYPES)
  type?: MemoryType;
}
