import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Per-execution caps across all model steps: a cost in USD and a token count. An agent's are the
 * default its executions take when the submission gives none (fixed when the row is created).
 */
export class AddExecutionCostCaps1763900110000 implements MigrationInterface {
  name = 'AddExecutionCostCaps1763900110000';

  async up(db: QueryRunner): Promise<void> {
    for (const table of ['agents', 'agent_executions']) {
      await db.query(`
        ALTER TABLE ${table}
          ADD COLUMN max_cost_usd numeric(20, 9) CHECK (max_cost_usd > 0),
          ADD COLUMN max_tokens integer CHECK (max_tokens > 0)`);
    }
  }

  async down(db: QueryRunner): Promise<void> {
    for (const table of ['agent_executions', 'agents']) {
      await db.query(`ALTER TABLE ${table} DROP COLUMN max_tokens, DROP COLUMN max_cost_usd`);
    }
  }
}
