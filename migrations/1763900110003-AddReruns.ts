import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Reruns: an execution may be a rerun of another (`rerun_of`), with its own llmConfig and tools
 * in place of the agent's, and may start from steps copied from it (`reused`: committed history
 * that was not called or charged again).
 */
export class AddReruns1763900110003 implements MigrationInterface {
  name = 'AddReruns1763900110003';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      ALTER TABLE agent_executions
        ADD COLUMN rerun_of uuid REFERENCES agent_executions(id) ON DELETE SET NULL,
        ADD COLUMN llm_config_override jsonb,
        ADD COLUMN tools_override jsonb`);
    // Deleting an execution clears the links to it: an index keeps that from scanning.
    await db.query(`
      CREATE INDEX agent_executions_rerun_of ON agent_executions (rerun_of)
        WHERE rerun_of IS NOT NULL`);
    await db.query(`ALTER TABLE execution_steps ADD COLUMN reused boolean NOT NULL DEFAULT false`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE execution_steps DROP COLUMN reused`);
    await db.query(`DROP INDEX agent_executions_rerun_of`);
    await db.query(`
      ALTER TABLE agent_executions
        DROP COLUMN tools_override, DROP COLUMN llm_config_override, DROP COLUMN rerun_of`);
  }
}
