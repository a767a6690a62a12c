import { MigrationInterface, QueryRunner } from 'typeorm';

const TABLES = ['budget_counters', 'budget_reservations'] as const;

/**
 * Budgets reserve before each model call and settle after (libs/usage, budget-ledger.ts): one
 * counter per budgeted agent or tenant per UTC day and month, and the reservations in flight.
 */
export class AddBudgetReservations1763900062000 implements MigrationInterface {
  name = 'AddBudgetReservations1763900062000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE budget_counters (
        scope_id uuid NOT NULL,
        period text NOT NULL CHECK (period IN ('day', 'month')),
        period_start date NOT NULL,
        tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        spent_usd numeric(20,9) NOT NULL CHECK (spent_usd >= 0),
        reserved_usd numeric(20,9) NOT NULL DEFAULT 0 CHECK (reserved_usd >= 0),
        PRIMARY KEY (scope_id, period, period_start)
      )`);
    await db.query(`CREATE INDEX budget_counters_tenant_idx ON budget_counters (tenant_id)`);
    await db.query(`
      CREATE TABLE budget_reservations (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        execution_id uuid NOT NULL,
        amount_usd numeric(20,9) NOT NULL CHECK (amount_usd >= 0),
        scope_ids uuid[] NOT NULL,
        periods text[] NOT NULL,
        period_starts date[] NOT NULL,
        expires_at timestamptz NOT NULL
      )`);
    await db.query(`
      CREATE INDEX budget_reservations_expiry_idx ON budget_reservations (tenant_id, expires_at)`);
    for (const table of TABLES) {
      await db.query(`ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY`);
      await db.query(`ALTER TABLE ${table} FORCE ROW LEVEL SECURITY`);
      await db.query(`
        CREATE POLICY tenant_isolation ON ${table}
          USING (tenant_id = agentq_current_tenant())
          WITH CHECK (tenant_id = agentq_current_tenant())`);
    }
  }

  async down(db: QueryRunner): Promise<void> {
    for (const table of [...TABLES].reverse()) await db.query(`DROP TABLE ${table}`);
  }
}
