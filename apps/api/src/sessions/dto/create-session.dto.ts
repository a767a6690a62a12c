import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsObject, IsOptional, IsString, IsUUID, MaxLength } from 'class-validator';
import { Omittable } from '../../common/omittable.decorator';

export class CreateSessionDto {
  @ApiPropertyOptional({
    type: String,
    format: 'uuid',
    nullable: true,
    description: 'the agent the session is mainly with (any agent may run in it)',
  })
  @IsOptional()
  @IsUUID()
  agentId?: string | null;

  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 200 })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  title?: string | null;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true, default: {} })
  @Omittable()
  @IsObject()
  metadata?: Record<string, unknown>;
}
