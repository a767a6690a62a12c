import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

@Entity('session_events')
export class SessionEvent {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column('uuid') tenantId!: string;
  @Column('uuid') sessionId!: string;
  @Column('uuid', { nullable: true }) executionId!: string | null;
  @Column('text') type!: string;
  @Column('jsonb', { default: () => "'{}'" }) payload!: Record<string, unknown>;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt!: Date;
}
