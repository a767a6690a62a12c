import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsUUID } from 'class-validator';
import { PageQuery } from '../../common/page.query';

export const MESSAGE_DIRECTIONS = ['sent', 'received', 'all'] as const;
export type MessageDirection = (typeof MESSAGE_DIRECTIONS)[number];

export class ListAgentMessagesQuery extends PageQuery {
  @ApiPropertyOptional({
    enum: MESSAGE_DIRECTIONS,
    default: 'all',
    description: 'messages the agent handed off (sent), was handed (received), or both',
  })
  @IsOptional()
  @IsIn(MESSAGE_DIRECTIONS)
  direction?: MessageDirection;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  sessionId?: string;
}
