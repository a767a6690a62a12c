import {
  Column,
  CreateDateColumn,
  Entity,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';

@Entity('tenants')
export class Tenant {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column('text') name!: string;
  /** Spend limits in USD (decimal strings); null is no limit. Checked before every attempt. */
  @Column('numeric', { precision: 20, scale: 9, nullable: true }) budgetDailyUsd!: string | null;
  @Column('numeric', { precision: 20, scale: 9, nullable: true }) budgetMonthlyUsd!: string | null;
  /** Each end user's (`user`) spend limit per UTC day, across the tenant's agents. */
  @Column('numeric', { precision: 20, scale: 9, nullable: true })
  endUserBudgetDailyUsd!: string | null;
  @Column('numeric', { precision: 20, scale: 9, nullable: true })
  endUserBudgetMonthlyUsd!: string | null;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt!: Date;
  @UpdateDateColumn({ type: 'timestamptz' }) updatedAt!: Date;
}
