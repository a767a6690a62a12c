import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { ArrayMinSize, IsIn, IsOptional } from 'class-validator';
import { IsCalendarTimestamp } from '../../common/calendar-timestamp';

export const USAGE_DIMENSIONS = ['agent', 'day', 'model'] as const;
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

  @ApiPropertyOptional({ description: 'comma separated: agent, day, model', default: 'agent' })
  @IsOptional()
  @Transform(({ value }) =>
    typeof value === 'string' ? value.split(',').map((v) => v.trim()) : value,
  )
  @ArrayMinSize(1)
  @IsIn(USAGE_DIMENSIONS, { each: true })
  groupBy?: UsageDimension[];
}
