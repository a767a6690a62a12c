import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What the maintenance run's retention reads, oldest first: finished webhook deliveries, schedule
 * firings, session events and finished plans. Also clears the step texts of executions whose
 * payload an earlier release purged without them (down() cannot bring those back).
 */
export class RetentionIndexes1763900065000 implements MigrationInterface {
  name = 'RetentionIndexes1763900065000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE INDEX webhook_deliveries_completed ON webhook_deliveries (completed_at)
        WHERE completed_at IS NOT NULL`);
    await db.query(`CREATE INDEX schedule_firings_created ON schedule_firings (created_at)`);
    await db.query(`CREATE INDEX session_events_created ON session_events (created_at)`);
    await db.query(`
      CREATE INDEX plans_completed ON plans (completed_at) WHERE completed_at IS NOT NULL`);
    await db.query(`
      UPDATE execution_steps s
         SET arguments = NULL, result = NULL, tool_calls = NULL
        FROM agent_executions e
       WHERE e.id = s.execution_id AND e.payload_purged_at IS NOT NULL
         AND (s.arguments IS NOT NULL OR s.result IS NOT NULL OR s.tool_calls IS NOT NULL)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP INDEX plans_completed`);
    await db.query(`DROP INDEX session_events_created`);
    await db.query(`DROP INDEX schedule_firings_created`);
    await db.query(`DROP INDEX webhook_deliveries_completed`);
  }
}
