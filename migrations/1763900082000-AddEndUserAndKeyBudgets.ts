import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Budgets per end user (the tenant's limit for each of its end users) and per API key, daily and
 * monthly USD, beside the tenant's and the agents'. Spent and reserved through the same budget
 * ledger (budget_counters keyed by a scope id: the key's id, or one derived from the end user).
 */
export class AddEndUserAndKeyBudgets1763900082000 implements MigrationInterface {
  name = 'AddEndUserAndKeyBudgets1763900082000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      ALTER TABLE tenants
        ADD COLUMN end_user_budget_daily_usd numeric(20, 9)
          CHECK (end_user_budget_daily_usd >= 0),
        ADD COLUMN end_user_budget_monthly_usd numeric(20, 9)
          CHECK (end_user_budget_monthly_usd >= 0)`);
    await db.query(`
      ALTER TABLE api_keys
        ADD COLUMN budget_daily_usd numeric(20, 9) CHECK (budget_daily_usd >= 0),
        ADD COLUMN budget_monthly_usd numeric(20, 9) CHECK (budget_monthly_usd >= 0)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(
      `ALTER TABLE api_keys DROP COLUMN budget_monthly_usd, DROP COLUMN budget_daily_usd`,
    );
    await db.query(`
      ALTER TABLE tenants
        DROP COLUMN end_user_budget_monthly_usd, DROP COLUMN end_user_budget_daily_usd`);
  }
}
