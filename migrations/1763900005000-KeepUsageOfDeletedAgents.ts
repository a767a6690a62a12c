import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Spend is history: deleting an agent keeps its daily usage rows (agent_id becomes NULL), so
 * tenant budgets and /v1/usage still count what it spent. The primary key gives way to a
 * unique index on the same columns (NULLs never collide), which the rollup upsert targets.
 */
export class KeepUsageOfDeletedAgents1763900005000 implements MigrationInterface {
  name = 'KeepUsageOfDeletedAgents1763900005000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE agent_usage_daily DROP CONSTRAINT agent_usage_daily_pkey`);
    await db.query(`ALTER TABLE agent_usage_daily ALTER COLUMN agent_id DROP NOT NULL`);
    await db.query(`
      CREATE UNIQUE INDEX agent_usage_daily_agent_day_model_key
        ON agent_usage_daily (agent_id, day, model)`);
    await db.query(`ALTER TABLE agent_usage_daily DROP CONSTRAINT agent_usage_daily_agent_id_fkey`);
    await db.query(`
      ALTER TABLE agent_usage_daily ADD CONSTRAINT agent_usage_daily_agent_id_fkey
        FOREIGN KEY (agent_id) REFERENCES agents(id) ON DELETE SET NULL`);
  }

  /** Forgets the usage of deleted agents: the old primary key cannot hold it. */
  async down(db: QueryRunner): Promise<void> {
    // The owner is subject to FORCE ROW LEVEL SECURITY: lift it for this one cross-tenant delete.
    await db.query(`ALTER TABLE agent_usage_daily NO FORCE ROW LEVEL SECURITY`);
    await db.query(`DELETE FROM agent_usage_daily WHERE agent_id IS NULL`);
    await db.query(`ALTER TABLE agent_usage_daily FORCE ROW LEVEL SECURITY`);
    await db.query(`ALTER TABLE agent_usage_daily DROP CONSTRAINT agent_usage_daily_agent_id_fkey`);
    await db.query(`
      ALTER TABLE agent_usage_daily ADD CONSTRAINT agent_usage_daily_agent_id_fkey
        FOREIGN KEY (agent_id) REFERENCES agents(id) ON DELETE CASCADE`);
    await db.query(`DROP INDEX agent_usage_daily_agent_day_model_key`);
    await db.query(`ALTER TABLE agent_usage_daily ALTER COLUMN agent_id SET NOT NULL`);
    await db.query(`ALTER TABLE agent_usage_daily ADD PRIMARY KEY (agent_id, day, model)`);
  }
}
