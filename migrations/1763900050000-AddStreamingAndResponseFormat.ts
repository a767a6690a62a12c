import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Agents gain defaults for streamed output and structured output; an execution records the
 * values it runs with (the submission's, else the agent's), resolved by the INSERT that creates
 * it, so the worker reads them with its claim and the API knows whether /stream has anything.
 */
export class AddStreamingAndResponseFormat1763900050000 implements MigrationInterface {
  name = 'AddStreamingAndResponseFormat1763900050000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      ALTER TABLE agents
        ADD COLUMN stream boolean NOT NULL DEFAULT false,
        ADD COLUMN response_format jsonb`);
    await db.query(`
      ALTER TABLE agent_executions
        ADD COLUMN stream boolean NOT NULL DEFAULT false,
        ADD COLUMN response_format jsonb`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE agent_executions DROP COLUMN response_format, DROP COLUMN stream`);
    await db.query(`ALTER TABLE agents DROP COLUMN response_format, DROP COLUMN stream`);
  }
}
