import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Max,
  Min,
} from 'class-validator';
import { TERMINAL_STATUSES } from '@agentq/database';
import { tagsSchema } from '@agentq/executions';
import { Transform } from 'class-transformer';
import { IsCalendarTimestamp } from '../../common/calendar-timestamp';
import { ConformsTo } from '../../common/conforms-to.decorator';

export const BULK_RERUN_MAX = 10_000;

/** Which ended executions to rerun (from scratch), and how many at most. */
export class BulkRerunDto {
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  agentId?: string;

  @ApiPropertyOptional({ enum: TERMINAL_STATUSES, description: 'default: any ended status' })
  @IsOptional()
  @IsIn(TERMINAL_STATUSES)
  status?: 'succeeded' | 'failed' | 'cancelled';

  @ApiPropertyOptional({ example: 'provider_unavailable', description: 'the error’s code' })
  @IsOptional()
  @IsString()
  @Length(1, 100)
  errorCode?: string;

  @ApiPropertyOptional({ description: 'created at or after (RFC 3339)' })
  @IsOptional()
  @IsCalendarTimestamp()
  from?: string;

  @ApiPropertyOptional({ description: 'created before (RFC 3339)' })
  @IsOptional()
  @IsCalendarTimestamp()
  to?: string;

  @ApiPropertyOptional({
    type: [String],
    description: 'executions carrying all of these tags (a single tag may be given as a string)',
  })
  @IsOptional()
  @Transform(({ value }: { value: unknown }) =>
    value === undefined || Array.isArray(value) ? value : [value],
  )
  @ConformsTo(tagsSchema)
  tag?: string[];

  @ApiPropertyOptional({
    type: 'integer',
    minimum: 1,
    maximum: BULK_RERUN_MAX,
    default: BULK_RERUN_MAX,
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(BULK_RERUN_MAX)
  limit?: number;

  @ApiPropertyOptional({ default: false, description: 'count what would be rerun; create nothing' })
  @IsOptional()
  @IsBoolean()
  dryRun?: boolean;
}

export class BulkRerunView {
  @ApiProperty({ type: 'integer', description: 'matching executions (at most limit + 1 counted)' })
  matched!: number;
  @ApiProperty({ description: 'more match than limit: call again (with from/to) for the rest' })
  more!: boolean;
  @ApiProperty({ type: 'integer', description: 'reruns created (0 on a dry run)' })
  created!: number;
  @ApiProperty() dryRun!: boolean;
}
