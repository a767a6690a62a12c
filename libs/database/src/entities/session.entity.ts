import {
  Column,
  CreateDateColumn,
  Entity,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';

export const SESSION_STATUSES = ['active', 'ended', 'archived'] as const;
export type SessionStatus = (typeof SESSION_STATUSES)[number];

@Entity('sessions')
export class Session {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column('uuid') tenantId!: string;
  @Column('uuid', { nullable: true }) agentId!: string | null;
  @Column('text', { nullable: true }) title!: string | null;
  @Column('text', { default: 'active' }) status!: SessionStatus;
  @Column('jsonb', { default: () => "'{}'" }) metadata!: Record<string, unknown>;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt!: Date;
  @UpdateDateColumn({ type: 'timestamptz' }) updatedAt!: Date;
  @Column('timestamptz', { nullable: true }) endedAt!: Date | null;
  @Column('timestamptz', { nullable: true }) archivedAt!: Date | null;
}
