import { MigrationInterface, QueryRunner } from 'typeorm';

// The attribution columns, the same on executions and on what creates them later (plans,
// schedules). NULL when absent, so an execution submitted without any writes no index entry.
const ATTRIBUTION_COLUMNS = `
  ADD COLUMN api_key_id uuid REFERENCES api_keys(id) ON DELETE SET NULL,
  ADD COLUMN end_user text CHECK (char_length(end_user) BETWEEN 1 AND 256),
  ADD COLUMN tags text[] CHECK (cardinality(tags) BETWEEN 1 AND 10),
  ADD COLUMN metadata jsonb CHECK (jsonb_typeof(metadata) = 'object')`;

const DROP_ATTRIBUTION_COLUMNS = `
  DROP COLUMN metadata, DROP COLUMN tags, DROP COLUMN end_user, DROP COLUMN api_key_id`;

/**
 * Who ran what: the API key that submitted an execution (from authentication), the end user it
 * ran for, its tags and metadata; plans and schedules carry the same and pass them on. The
 * indexes answer the first page of `GET /v1/executions?user=` / `?tag=` / `?apiKeyId=` /
 * `?metadata.k=v` newest first; all are partial, so unattributed executions cost nothing.
 */
export class AddExecutionAttribution1763900080000 implements MigrationInterface {
  name = 'AddExecutionAttribution1763900080000';

  async up(db: QueryRunner): Promise<void> {
    for (const table of ['agent_executions', 'plans', 'agent_schedules']) {
      await db.query(`ALTER TABLE ${table} ${ATTRIBUTION_COLUMNS}`);
    }
    await db.query(`
      CREATE INDEX agent_executions_end_user_created_idx
        ON agent_executions (tenant_id, end_user, created_at DESC, id DESC)
        WHERE end_user IS NOT NULL`);
    await db.query(`
      CREATE INDEX agent_executions_api_key_created_idx
        ON agent_executions (api_key_id, created_at DESC, id DESC)
        WHERE api_key_id IS NOT NULL`);
    await db.query(`
      CREATE INDEX agent_executions_tags_idx ON agent_executions USING gin (tags)
        WHERE tags IS NOT NULL`);
    await db.query(`
      CREATE INDEX agent_executions_metadata_idx
        ON agent_executions USING gin (metadata jsonb_path_ops)
        WHERE metadata IS NOT NULL`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP INDEX agent_executions_metadata_idx`);
    await db.query(`DROP INDEX agent_executions_tags_idx`);
    await db.query(`DROP INDEX agent_executions_api_key_created_idx`);
    await db.query(`DROP INDEX agent_executions_end_user_created_idx`);
    for (const table of ['agent_schedules', 'plans', 'agent_executions']) {
      await db.query(`ALTER TABLE ${table} ${DROP_ATTRIBUTION_COLUMNS}`);
    }
  }
}
