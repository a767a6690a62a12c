import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Length,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { EndUserField, MetadataField, TagsField } from '../../common/attribution.dto';
import { IsCalendarTimestamp } from '../../common/calendar-timestamp';
import { Omittable } from '../../common/omittable.decorator';
import { EXECUTION_LIMITS, ExecutionInputDto } from '../../executions/dto/submit-execution.dto';

export const OVERLAP_POLICIES = ['skip', 'queue'] as const;
export type OverlapPolicy = (typeof OVERLAP_POLICIES)[number];

export class CreateScheduleDto {
  @ApiProperty({
    example: '*/5 * * * *',
    description:
      'cron: minute hour day-of-month month day-of-week (a 6th, leading seconds field is accepted when it fires at most once a minute)',
  })
  @IsString()
  @Length(1, 200)
  cron!: string;

  @ApiPropertyOptional({ example: 'Europe/Paris', default: 'UTC', description: 'IANA time zone' })
  @Omittable()
  @IsString()
  @MaxLength(100)
  timezone?: string;

  @ApiProperty({ type: ExecutionInputDto, description: 'the input of every execution it creates' })
  @ValidateNested()
  @Type(() => ExecutionInputDto)
  input!: ExecutionInputDto;

  @ApiPropertyOptional({ minimum: 1, maximum: 10, default: 5 })
  @Omittable()
  @IsInt()
  @Min(1)
  @Max(10)
  priority?: number;

  @ApiPropertyOptional({ minimum: 1, maximum: EXECUTION_LIMITS.maxAttempts, default: 3 })
  @Omittable()
  @IsInt()
  @Min(1)
  @Max(EXECUTION_LIMITS.maxAttempts)
  maxAttempts?: number;

  @ApiPropertyOptional({
    enum: OVERLAP_POLICIES,
    default: 'skip',
    description: 'skip: a fire time is skipped while the previous execution is queued or running',
  })
  @Omittable()
  @IsIn(OVERLAP_POLICIES)
  overlap?: OverlapPolicy;

  @ApiPropertyOptional({ default: true })
  @Omittable()
  @IsBoolean()
  enabled?: boolean;

  @ApiPropertyOptional({ type: String, format: 'date-time', nullable: true })
  @IsOptional()
  @IsCalendarTimestamp()
  startAt?: string | null;

  @ApiPropertyOptional({ type: String, format: 'date-time', nullable: true })
  @IsOptional()
  @IsCalendarTimestamp()
  endAt?: string | null;

  @EndUserField()
  user?: string;

  @TagsField()
  tags?: string[];

  @MetadataField()
  metadata?: Record<string, unknown>;
}
