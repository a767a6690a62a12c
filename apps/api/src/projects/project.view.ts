import { ApiProperty } from '@nestjs/swagger';
import { PlanUsage } from '@agentq/plans';

export interface ProjectRow {
  id: string;
  name: string;
  description: string | null;
  metadata: Record<string, unknown>;
  created_at: Date;
  updated_at: Date;
}

class ProjectUsageView {
  @ApiProperty({ type: 'integer' }) plans!: number;
  @ApiProperty({ type: 'integer' }) promptTokens!: number;
  @ApiProperty({ type: 'integer' }) completionTokens!: number;
  @ApiProperty({ type: 'integer' }) totalTokens!: number;
  @ApiProperty({ example: '0.000012000', description: 'USD, decimal string' }) costUsd!: string;
}

/** The public shape of a project; usage is the sum of its plans'. */
export class ProjectView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ type: String, nullable: true }) description!: string | null;
  @ApiProperty({ type: 'object', additionalProperties: true }) metadata!: Record<string, unknown>;
  @ApiProperty({ type: ProjectUsageView }) usage!: ProjectUsageView;
  @ApiProperty() createdAt!: Date;
  @ApiProperty() updatedAt!: Date;
}

export class ProjectPage {
  @ApiProperty({ type: [ProjectView] }) data!: ProjectView[];
  @ApiProperty({ type: String, nullable: true }) nextCursor!: string | null;
}

export function toProjectView(row: ProjectRow, usage: PlanUsage & { plans: number }): ProjectView {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    metadata: row.metadata,
    usage,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
