import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

export const API_KEY_SCOPES = ['read', 'write'] as const;
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];

@Entity('api_keys')
export class ApiKey {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column('uuid') tenantId!: string;
  @Column('text') name!: string;
  /** First characters of the secret, shown so a person can recognise the key. */
  @Column('text') prefix!: string;
  /** sha256 of the secret, hex; the secret itself is never stored. */
  @Column('text') keyHash!: string;
  @Column('text', { array: true }) scopes!: ApiKeyScope[];
  @CreateDateColumn({ type: 'timestamptz' }) createdAt!: Date;
  @Column('timestamptz', { nullable: true }) lastUsedAt!: Date | null;
  @Column('timestamptz', { nullable: true }) revokedAt!: Date | null;
  /** Spend limits of what this key submits, per UTC day and calendar month (USD). */
  @Column('numeric', { precision: 20, scale: 9, nullable: true }) budgetDailyUsd!: string | null;
  @Column('numeric', { precision: 20, scale: 9, nullable: true }) budgetMonthlyUsd!: string | null;
}
