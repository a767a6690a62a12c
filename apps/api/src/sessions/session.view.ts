import { ApiProperty } from '@nestjs/swagger';
import { Session, SESSION_STATUSES, SessionEvent, SessionStatus } from '@agentq/database';
import { ExecutionView } from '../executions/execution.view';

export class SessionView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) agentId!: string | null;
  @ApiProperty({ type: String, nullable: true }) title!: string | null;
  @ApiProperty({ enum: SESSION_STATUSES }) status!: SessionStatus;
  @ApiProperty({ type: 'object', additionalProperties: true })
  metadata!: Record<string, unknown>;
  @ApiProperty() createdAt!: Date;
  @ApiProperty() updatedAt!: Date;
  @ApiProperty({ type: Date, nullable: true }) endedAt!: Date | null;
  @ApiProperty({ type: Date, nullable: true }) archivedAt!: Date | null;
}

export class SessionWithExecutionsView extends SessionView {
  @ApiProperty({
    type: [ExecutionView],
    description: `the session's executions, oldest first (at most ${1_000}; see executionCount)`,
  })
  executions!: ExecutionView[];
  @ApiProperty({ type: 'integer' }) executionCount!: number;
}

export class SessionPage {
  @ApiProperty({ type: [SessionView] }) data!: SessionView[];
  @ApiProperty({ type: String, nullable: true, description: 'pass as ?cursor= for the next page' })
  nextCursor!: string | null;
}

export class SessionEventView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) sessionId!: string;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) executionId!: string | null;
  @ApiProperty({ example: 'execution.succeeded' }) type!: string;
  @ApiProperty({ type: 'object', additionalProperties: true })
  payload!: Record<string, unknown>;
  @ApiProperty() createdAt!: Date;
}

export class SessionEventPage {
  @ApiProperty({ type: [SessionEventView] }) data!: SessionEventView[];
  @ApiProperty({ type: String, nullable: true, description: 'pass as ?cursor= for the next page' })
  nextCursor!: string | null;
}

export function toSessionView(row: Session): SessionView {
  return {
    id: row.id,
    agentId: row.agentId,
    title: row.title,
    status: row.status,
    metadata: row.metadata,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    endedAt: row.endedAt,
    archivedAt: row.archivedAt,
  };
}

export function toSessionEventView(row: SessionEvent): SessionEventView {
  return {
    id: row.id,
    sessionId: row.sessionId,
    executionId: row.executionId,
    type: row.type,
    payload: row.payload,
    createdAt: row.createdAt,
  };
}
