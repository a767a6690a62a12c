import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Which provider answered each model step, and the fallback chain entries passed over before it
 * (llmConfig.fallbacks). A label like `model`: no foreign key, so deleting a provider keeps
 * the history of the steps it answered.
 */
export class AddModelRoutes1763900110001 implements MigrationInterface {
  name = 'AddModelRoutes1763900110001';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      ALTER TABLE execution_steps ADD COLUMN provider_id uuid, ADD COLUMN fallback_from jsonb`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(
      `ALTER TABLE execution_steps DROP COLUMN fallback_from, DROP COLUMN provider_id`,
    );
  }
}
