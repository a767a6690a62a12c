import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The OpenTelemetry trace id of an execution's submission (null when it was not traced), so a
 * run's page can name the trace to open in the tracing backend.
 */
export class AddExecutionTraceId1763900500000 implements MigrationInterface {
  name = 'AddExecutionTraceId1763900500000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE agent_executions ADD COLUMN trace_id text`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE agent_executions DROP COLUMN trace_id`);
  }
}
