import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Per-key fairness (issue #28, point 5): an agent may count its executions by end user, API key
 * or a metadata key, and bound how many run at once and how many are submitted a minute per value.
 */
export class AddPerKeyLimits1763900300000 implements MigrationInterface {
  name = 'AddPerKeyLimits1763900300000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      ALTER TABLE agents
        ADD COLUMN concurrency_key text
          CONSTRAINT agents_concurrency_key_check
          CHECK (concurrency_key ~ '^(user|apiKey|metadata\\.[A-Za-z0-9_.:-]{1,64})$'),
        ADD COLUMN max_concurrency_per_key integer
          CONSTRAINT agents_max_concurrency_per_key_check CHECK (max_concurrency_per_key > 0),
        ADD COLUMN rate_limit_per_key integer
          CONSTRAINT agents_rate_limit_per_key_check CHECK (rate_limit_per_key > 0)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`
      ALTER TABLE agents DROP COLUMN rate_limit_per_key, DROP COLUMN max_concurrency_per_key,
        DROP COLUMN concurrency_key`);
  }
}
