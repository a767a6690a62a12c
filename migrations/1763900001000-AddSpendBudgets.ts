import { MigrationInterface, QueryRunner } from 'typeorm';

export class AddSpendBudgets1763900001000 implements MigrationInterface {
  name = 'AddSpendBudgets1763900001000';

  async up(db: QueryRunner): Promise<void> {
    for (const table of ['tenants', 'agents']) {
      await db.query(`
        ALTER TABLE ${table}
          ADD COLUMN budget_daily_usd numeric(20,9) CHECK (budget_daily_usd >= 0),
          ADD COLUMN budget_monthly_usd numeric(20,9) CHECK (budget_monthly_usd >= 0)`);
    }
  }

  async down(db: QueryRunner): Promise<void> {
    for (const table of ['agents', 'tenants']) {
      await db.query(
        `ALTER TABLE ${table} DROP COLUMN budget_monthly_usd, DROP COLUMN budget_daily_usd`,
      );
    }
  }
}
