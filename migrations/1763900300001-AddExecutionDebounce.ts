import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Debounced submissions (issue #28, point 6): one row per (tenant, agent, debounce key) points at
 * the execution that key's submissions collapse into while it has not started. Submissions of a
 * key serialize on that row's lock. The row leaves with its execution (retention purges both).
 */
export class AddExecutionDebounce1763900300001 implements MigrationInterface {
  name = 'AddExecutionDebounce1763900300001';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE agent_executions ADD COLUMN debounce_key text`);
    await db.query(`
      CREATE TABLE execution_debounces (
        tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        agent_id uuid NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
        debounce_key text NOT NULL CHECK (length(debounce_key) BETWEEN 1 AND 256),
        execution_id uuid REFERENCES agent_executions(id) ON DELETE CASCADE,
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (tenant_id, agent_id, debounce_key)
      )`);
    await db.query(
      `CREATE INDEX execution_debounces_execution ON execution_debounces (execution_id)`,
    );
    await db.query(`ALTER TABLE execution_debounces ENABLE ROW LEVEL SECURITY`);
    await db.query(`ALTER TABLE execution_debounces FORCE ROW LEVEL SECURITY`);
    await db.query(`
      CREATE POLICY tenant_isolation ON execution_debounces
        USING (tenant_id = agentq_current_tenant())
        WITH CHECK (tenant_id = agentq_current_tenant())`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE execution_debounces`);
    await db.query(`ALTER TABLE agent_executions DROP COLUMN debounce_key`);
  }
}
