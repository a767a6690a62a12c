import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { AgentMemory, MEMORY_TYPES, MemoryType } from '@agentq/database';

export class MemoryView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) agentId!: string;
  @ApiProperty({ enum: MEMORY_TYPES }) type!: MemoryType;
  @ApiProperty() content!: string;
  @ApiProperty({ type: 'integer', minimum: 1, maximum: 10 }) importance!: number;
  @ApiProperty({ type: 'object', additionalProperties: true })
  metadata!: Record<string, unknown>;
  @ApiProperty() createdAt!: Date;
  @ApiProperty({ type: Date, nullable: true, description: 'last put in a prompt' })
  lastAccessedAt!: Date | null;
  @ApiPropertyOptional({ description: 'text rank against ?q= (search results only)' })
  rank?: number;
}

export class MemoryPage {
  @ApiProperty({ type: [MemoryView] }) data!: MemoryView[];
  @ApiProperty({ type: String, nullable: true, description: 'pass as ?cursor= for the next page' })
  nextCursor!: string | null;
}

export function toMemoryView(row: AgentMemory, rank?: number): MemoryView {
  return {
    id: row.id,
    agentId: row.agentId,
    type: row.type,
    content: row.content,
    importance: row.importance,
    metadata: row.metadata,
    createdAt: row.createdAt,
    lastAccessedAt: row.lastAccessedAt,
    ...(rank === undefined ? {} : { rank }),
  };
}
