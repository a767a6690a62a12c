import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsIn, IsOptional, IsUUID } from 'class-validator';
import { endUserSchema, tagSchema } from '@agentq/executions';
import { IsCalendarTimestamp } from '../../common/calendar-timestamp';
import { ConformsTo } from '../../common/conforms-to.decorator';

export const USAGE_DIMENSIONS = ['agent', 'day', 'model', 'user', 'apiKey', 'tag'] as const;
/** Who ran it: groupings and filters answered from the attribution rollup. */
export const ATTRIBUTION_DIMENSIONS: readonly UsageDimension[] = ['user', 'apiKey', 'tag'];
export type UsageDimension = (typeof USAGE_DIMENSIONS)[number];

export class UsageQuery {
  @ApiPropertyOptional({ description: 'first UTC day (YYYY-MM-DD), default 30 days ago' })
  @IsOptional()
  @IsCalendarTimestamp()
  from?: string;

  @ApiPropertyOptional({ description: 'last UTC day, inclusive (YYYY-MM-DD), default today' })
  @IsOptional()
  @IsCalendarTimestamp()
  to?: string;

  @ApiPropertyOptional({
    description:
      'comma separated, one or two of: agent, day, model, user, apiKey, tag (an execution ' +
      'with several tags counts once in each of their groups)',
    default: 'agent',
  })
  @IsOptional()
  @Transform(({ value }) =>
    typeof value === 'string' ? value.split(',').map((v) => v.trim()) : value,
  )
  @ArrayMinSize(1)
  @ArrayMaxSize(3)
  @IsIn(USAGE_DIMENSIONS, { each: true })
  groupBy?: UsageDimension[];

  @ApiPropertyOptional({ description: 'only what this end user ran' })
  @IsOptional()
  @ConformsTo(endUserSchema)
  user?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'only what this API key submitted' })
  @IsOptional()
  @IsUUID()
  apiKeyId?: string;

  @ApiPropertyOptional({ description: 'only executions carrying this tag' })
  @IsOptional()
  @ConformsTo(tagSchema)
  tag?: string;
}
