import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsUUID } from 'class-validator';

export class TenantEventsQuery {
  @ApiPropertyOptional({ format: 'uuid', description: "only this agent's executions" })
  @IsOptional()
  @IsUUID()
  agentId?: string;
}
