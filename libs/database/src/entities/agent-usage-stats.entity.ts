import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Per agent lifetime totals, maintained in the same transaction as each terminal transition. */
@Entity('agent_usage_stats')
export class AgentUsageStats {
  @PrimaryColumn('uuid') agentId!: string;
  @Column('uuid') tenantId!: string;
  @Column('bigint') totalExecutions!: string;
  @Column('bigint') successfulExecutions!: string;
  @Column('bigint') failedExecutions!: string;
  @Column('bigint') cancelledExecutions!: string;
  @Column('bigint') promptTokens!: string;
  @Column('bigint') completionTokens!: string;
  @Column('bigint') totalTokens!: string;
  @Column('numeric', { precision: 24, scale: 9 }) totalCostUsd!: string;
  @Column('bigint') totalDurationMs!: string;
  @Column('bigint') timedExecutions!: string;
  @Column('timestamptz', { nullable: true }) lastExecutedAt!: Date | null;
}
