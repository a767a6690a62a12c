import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * Per agent, UTC day and model: the sum of the terminal executions completed that day. A deleted
 * agent's rows stay with agent_id NULL (spend is history); the key columns are unique, not a
 * primary key, in the table.
 */
@Entity('agent_usage_daily')
export class AgentUsageDaily {
  @PrimaryColumn('uuid') agentId!: string | null;
  @PrimaryColumn('date') day!: string;
  @PrimaryColumn('text') model!: string;
  @Column('uuid') tenantId!: string;
  @Column('bigint') executions!: string;
  @Column('bigint') succeeded!: string;
  @Column('bigint') failed!: string;
  @Column('bigint') cancelled!: string;
  @Column('bigint') promptTokens!: string;
  @Column('bigint') completionTokens!: string;
  @Column('bigint') totalTokens!: string;
  @Column('numeric', { precision: 24, scale: 9 }) costUsd!: string;
  @Column('bigint') totalDurationMs!: string;
  /** Executions that ran on a provider and so have a duration. */
  @Column('bigint') timedExecutions!: string;
}
