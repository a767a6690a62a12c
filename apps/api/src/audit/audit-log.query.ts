import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, IsUUID, Matches, MaxLength } from 'class-validator';
import { IsCalendarTimestamp } from '../common/calendar-timestamp';
import { PageQuery } from '../common/page.query';

export class AuditLogQuery extends PageQuery {
  @ApiPropertyOptional({ example: 'agent.updated', description: '`<target type>.<verb>`' })
  @IsOptional()
  @Matches(/^[a-z_]+\.[a-z_]+$/, { message: 'action must look like agent.updated' })
  action?: string;

  @ApiPropertyOptional({ example: 'agent' })
  @IsOptional()
  @Matches(/^[a-z_]+$/, { message: 'targetType must look like agent or api_key' })
  targetType?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(200)
  targetId?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'the API key that acted' })
  @IsOptional()
  @IsUUID()
  actorApiKeyId?: string;

  @ApiPropertyOptional({ description: 'at or after (RFC 3339)' })
  @IsOptional()
  @IsCalendarTimestamp()
  from?: string;

  @ApiPropertyOptional({ description: 'before (RFC 3339)' })
  @IsOptional()
  @IsCalendarTimestamp()
  to?: string;
}

export class AdminAuditLogQuery extends AuditLogQuery {
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  tenantId?: string;
}
