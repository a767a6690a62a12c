import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class LivenessView {
  @ApiProperty({ enum: ['ok'] }) status!: 'ok';
}

class ComponentHealth {
  @ApiProperty({ enum: ['up', 'down'] }) status!: 'up' | 'down';
  @ApiPropertyOptional({
    enum: ['pgvector', 'exact'],
    description: 'knowledge: the vector path decided at boot (docs/knowledge.md)',
  })
  vectorBackend?: 'pgvector' | 'exact';
  @ApiPropertyOptional({ description: 'knowledge: the server offers pgvector' })
  pgvectorAvailable?: boolean;
}

const components = {
  type: 'object',
  additionalProperties: { $ref: '#/components/schemas/ComponentHealth' },
  example: {
    postgres: { status: 'up' },
    redis: { status: 'up' },
    knowledge: { status: 'up', vectorBackend: 'exact', pgvectorAvailable: false },
  },
} as const;

/** @nestjs/terminus's report: what answered (`info`) and what did not (`error`). */
export class ReadinessView {
  @ApiProperty({ enum: ['ok'] }) status!: 'ok';
  @ApiProperty(components) info!: Record<string, ComponentHealth>;
  @ApiProperty(components) error!: Record<string, ComponentHealth>;
  @ApiProperty(components) details!: Record<string, ComponentHealth>;
}

export const HEALTH_MODELS = [ComponentHealth];
