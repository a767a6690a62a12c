import { MigrationInterface, QueryRunner } from 'typeorm';

/** An agent may name one of its http tools as the guard of its input and/or of its output. */
export class AddGuardrails1763900110004 implements MigrationInterface {
  name = 'AddGuardrails1763900110004';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE agents ADD COLUMN input_guard text, ADD COLUMN output_guard text`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE agents DROP COLUMN output_guard, DROP COLUMN input_guard`);
  }
}
