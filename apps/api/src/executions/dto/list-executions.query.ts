import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsUUID } from 'class-validator';
import { EXECUTION_STATUSES, ExecutionStatus } from '@agentq/database';
import { IsCalendarTimestamp } from '../../common/calendar-timestamp';
import { PageQuery } from '../../common/page.query';

export class ListExecutionsQuery extends PageQuery {
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  agentId?: string;

  @ApiPropertyOptional({ enum: EXECUTION_STATUSES })
  @IsOptional()
  @IsIn(EXECUTION_STATUSES)
  status?: ExecutionStatus;

  @ApiPropertyOptional({ description: 'created at or after (RFC 3339 date or date-time)' })
  @IsOptional()
  @IsCalendarTimestamp()
  from?: string;

  @ApiPropertyOptional({ description: 'created before (RFC 3339 date or date-time)' })
  @IsOptional()
  @IsCalendarTimestamp()
  to?: string;
}
