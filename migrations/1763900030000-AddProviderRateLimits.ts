import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A provider's requests/tokens per minute, shared by every agent and worker that calls it
 * (see docs/dispatch.md). Null: no limit of agentq's own, only the provider's 429s.
 */
export class AddProviderRateLimits1763900030000 implements MigrationInterface {
  name = 'AddProviderRateLimits1763900030000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE llm_providers ADD COLUMN rate_limit jsonb`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE llm_providers DROP COLUMN rate_limit`);
  }
}
