import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Agent context: what an execution used and asked for (memories, handoff, storing its output),
 * payload retention, session archiving, and a trigger that records every lifecycle step of an
 * execution in a session as a session event, in the transaction that makes the step.
 */
export class ExtendAgentContext1763900000005 implements MigrationInterface {
  name = 'ExtendAgentContext1763900000005';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      ALTER TABLE agent_executions
        ADD COLUMN memory_ids uuid[],
        ADD COLUMN store_output_as_memory boolean NOT NULL DEFAULT false,
        ADD COLUMN handoff_to_agent_id uuid REFERENCES agents(id) ON DELETE SET NULL,
        ADD COLUMN handoff_depth integer NOT NULL DEFAULT 0 CHECK (handoff_depth >= 0),
        ADD COLUMN parent_execution_id uuid REFERENCES agent_executions(id) ON DELETE SET NULL,
        ADD COLUMN payload_purged_at timestamptz`);
    await db.query(`
      CREATE INDEX agent_executions_parent_idx ON agent_executions (parent_execution_id)
        WHERE parent_execution_id IS NOT NULL`);
    await db.query(`
      CREATE INDEX agent_executions_handoff_to_idx ON agent_executions (handoff_to_agent_id)
        WHERE handoff_to_agent_id IS NOT NULL`);
    await db.query(`
      CREATE INDEX agent_executions_payload_retention_idx ON agent_executions (completed_at)
        WHERE payload_purged_at IS NULL AND completed_at IS NOT NULL`);

    await db.query(`ALTER TABLE sessions ADD COLUMN archived_at timestamptz`);
    await db.query(`
      CREATE INDEX sessions_archivable_idx ON sessions (updated_at) WHERE status <> 'archived'`);

    // clock_timestamp(): events of one transaction keep their order, and a poller that reads
    // "events after T" sees times close to the commit rather than to the transaction's start.
    await db.query(
      `ALTER TABLE session_events ALTER COLUMN created_at SET DEFAULT clock_timestamp()`,
    );
    await db.query(`
      CREATE INDEX session_events_execution_idx ON session_events (execution_id)
        WHERE execution_id IS NOT NULL`);
    // An execution's events go with it (e.g. a submission undone because Redis refused its job).
    await db.query(`
      ALTER TABLE session_events
        DROP CONSTRAINT session_events_execution_id_fkey,
        ADD CONSTRAINT session_events_execution_id_fkey FOREIGN KEY (execution_id)
          REFERENCES agent_executions(id) ON DELETE CASCADE`);

    await db.query(
      `CREATE INDEX agent_messages_from_execution_idx ON agent_messages (from_execution_id)`,
    );
    await db.query(
      `CREATE INDEX agent_messages_to_execution_idx ON agent_messages (to_execution_id)`,
    );
    await db.query(
      `CREATE INDEX agent_messages_session_idx ON agent_messages (session_id, created_at)`,
    );
    await db.query(`
      CREATE INDEX agent_messages_unredacted_created_idx ON agent_messages (created_at)
        WHERE content <> '[redacted]'`);

    await db.query(`
      CREATE INDEX agent_memories_last_used_idx
        ON agent_memories ((COALESCE(last_accessed_at, created_at)))`);

    await db.query(`
      CREATE FUNCTION record_session_execution_event() RETURNS trigger
      LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO session_events (tenant_id, session_id, execution_id, type, payload, created_at)
        VALUES (
          NEW.tenant_id, NEW.session_id, NEW.id,
          'execution.' || CASE
            WHEN TG_OP = 'INSERT' THEN 'queued'
            WHEN NEW.status = 'running' THEN 'started'
            WHEN NEW.status = 'queued' THEN 'retrying'
            ELSE NEW.status
          END,
          jsonb_strip_nulls(jsonb_build_object(
            'agentId', NEW.agent_id,
            'status', NEW.status,
            'attempt', NEW.attempts,
            -- A claim leaves the previous attempt's error in place: not this event's.
            'errorCode', CASE WHEN NEW.status <> 'running' THEN NEW.error->>'code' END,
            'parentExecutionId', NEW.parent_execution_id)),
          clock_timestamp());
        RETURN NULL;
      END
      $$`);
    await db.query(`
      CREATE TRIGGER agent_executions_session_event_on_insert
        AFTER INSERT ON agent_executions
        FOR EACH ROW WHEN (NEW.session_id IS NOT NULL)
        EXECUTE FUNCTION record_session_execution_event()`);
    await db.query(`
      CREATE TRIGGER agent_executions_session_event_on_update
        AFTER UPDATE OF status, attempts ON agent_executions
        FOR EACH ROW WHEN (NEW.session_id IS NOT NULL
          AND (NEW.status IS DISTINCT FROM OLD.status OR NEW.attempts IS DISTINCT FROM OLD.attempts))
        EXECUTE FUNCTION record_session_execution_event()`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TRIGGER agent_executions_session_event_on_update ON agent_executions`);
    await db.query(`DROP TRIGGER agent_executions_session_event_on_insert ON agent_executions`);
    await db.query(`DROP FUNCTION record_session_execution_event()`);
    await db.query(`DROP INDEX agent_memories_last_used_idx`);
    await db.query(`DROP INDEX agent_messages_unredacted_created_idx`);
    await db.query(`DROP INDEX agent_messages_session_idx`);
    await db.query(`DROP INDEX agent_messages_to_execution_idx`);
    await db.query(`DROP INDEX agent_messages_from_execution_idx`);
    await db.query(`
      ALTER TABLE session_events
        DROP CONSTRAINT session_events_execution_id_fkey,
        ADD CONSTRAINT session_events_execution_id_fkey FOREIGN KEY (execution_id)
          REFERENCES agent_executions(id) ON DELETE SET NULL`);
    await db.query(`DROP INDEX session_events_execution_idx`);
    await db.query(`ALTER TABLE session_events ALTER COLUMN created_at SET DEFAULT now()`);
    await db.query(`DROP INDEX sessions_archivable_idx`);
    await db.query(`ALTER TABLE sessions DROP COLUMN archived_at`);
    await db.query(`
      ALTER TABLE agent_executions
        DROP COLUMN payload_purged_at,
        DROP COLUMN parent_execution_id,
        DROP COLUMN handoff_depth,
        DROP COLUMN handoff_to_agent_id,
        DROP COLUMN store_output_as_memory,
        DROP COLUMN memory_ids`);
  }
}
