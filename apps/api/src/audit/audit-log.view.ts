import { ApiProperty } from '@nestjs/swagger';

/** An audit_log row as PostgreSQL returns it. */
export interface AuditRow {
  id: string;
  tenant_id: string;
  actor_type: 'api_key' | 'admin' | 'system';
  actor_api_key_id: string | null;
  action: string;
  target_type: string;
  target_id: string;
  diff: Record<string, { from?: unknown; to?: unknown }>;
  request_id: string | null;
  source_address: string | null;
  created_at: Date;
}

class AuditActorView {
  @ApiProperty({ enum: ['api_key', 'admin', 'system'] }) type!: string;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) apiKeyId!: string | null;
}

class AuditTargetView {
  @ApiProperty({ example: 'agent' }) type!: string;
  @ApiProperty() id!: string;
}

/** One management write: who, what, on which target, the changed fields (secrets redacted). */
export class AuditEntryView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) tenantId!: string;
  @ApiProperty({ type: AuditActorView }) actor!: AuditActorView;
  @ApiProperty({ example: 'agent.updated' }) action!: string;
  @ApiProperty({ type: AuditTargetView }) target!: AuditTargetView;
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    example: { name: { from: 'a', to: 'b' }, apiKeyCiphertext: { from: '[redacted]' } },
    description: 'changed fields as {from, to}; secrets show as "[redacted]"',
  })
  diff!: Record<string, unknown>;
  @ApiProperty({ type: String, nullable: true }) requestId!: string | null;
  @ApiProperty({ type: String, nullable: true }) sourceAddress!: string | null;
  @ApiProperty() createdAt!: Date;
}

export class AuditPage {
  @ApiProperty({ type: [AuditEntryView] }) data!: AuditEntryView[];
  @ApiProperty({ type: String, nullable: true }) nextCursor!: string | null;
}

export function toAuditEntryView(row: AuditRow): AuditEntryView {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    actor: { type: row.actor_type, apiKeyId: row.actor_api_key_id },
    action: row.action,
    target: { type: row.target_type, id: row.target_id },
    diff: row.diff,
    requestId: row.request_id,
    sourceAddress: row.source_address,
    createdAt: row.created_at,
  };
}
