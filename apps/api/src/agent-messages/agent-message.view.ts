import { ApiProperty } from '@nestjs/swagger';
import { AgentMessage } from '@agentq/database';

export class AgentMessageView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) sessionId!: string | null;
  @ApiProperty({ format: 'uuid' }) fromAgentId!: string;
  @ApiProperty({ format: 'uuid' }) toAgentId!: string;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) fromExecutionId!: string | null;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) toExecutionId!: string | null;
  @ApiProperty({
    format: 'uuid',
    nullable: true,
    type: String,
    description: 'the message that started the execution that sent this one',
  })
  inReplyToId!: string | null;
  @ApiProperty({ description: "'[redacted]' once retention has cleared it" }) content!: string;
  @ApiProperty() createdAt!: Date;
}

export class AgentMessagePage {
  @ApiProperty({ type: [AgentMessageView] }) data!: AgentMessageView[];
  @ApiProperty({ type: String, nullable: true, description: 'pass as ?cursor= for the next page' })
  nextCursor!: string | null;
}

export function toAgentMessageView(row: AgentMessage): AgentMessageView {
  return {
    id: row.id,
    sessionId: row.sessionId,
    fromAgentId: row.fromAgentId,
    toAgentId: row.toAgentId,
    fromExecutionId: row.fromExecutionId,
    toExecutionId: row.toExecutionId,
    inReplyToId: row.inReplyToId,
    content: row.content,
    createdAt: row.createdAt,
  };
}
