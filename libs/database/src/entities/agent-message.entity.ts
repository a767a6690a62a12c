import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** A handoff: one agent's output passed to another agent as its input. */
@Entity('agent_messages')
export class AgentMessage {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column('uuid') tenantId!: string;
  @Column('uuid', { nullable: true }) sessionId!: string | null;
  @Column('uuid') fromAgentId!: string;
  @Column('uuid') toAgentId!: string;
  @Column('uuid', { nullable: true }) fromExecutionId!: string | null;
  @Column('uuid', { nullable: true }) toExecutionId!: string | null;
  @Column('uuid', { nullable: true }) inReplyToId!: string | null;
  @Column('text') content!: string;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt!: Date;
}
