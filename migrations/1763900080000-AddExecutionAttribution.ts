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
 * `?metadata.k=v` newest first; unattributed executions add no index entry.
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
    // One row per tag and per scalar top-level metadata entry of an execution ('tag:<tag>',
    // 'meta:<key>=<JSON value>'), kept by a trigger on every insert path (submissions, handoffs,
    // plan tasks, schedules). A btree on (tenant, label, created_at, id) answers a filter's first
    // page from 21 index entries whether the label is rare or on half the rows, and its text
    // column gives the planner real statistics, where GIN indexes on tags[] and jsonb are
    // estimated blind (a rare tag then scans the tenant's whole history).
    await db.query(`
      CREATE TABLE execution_labels (
        tenant_id uuid NOT NULL,
        label text NOT NULL,
        created_at timestamptz NOT NULL,
        execution_id uuid NOT NULL REFERENCES agent_executions(id) ON DELETE CASCADE,
        PRIMARY KEY (execution_id, label)
      )`);
    await db.query(`
      CREATE INDEX execution_labels_page_idx
        ON execution_labels (tenant_id, label, created_at DESC, execution_id DESC)`);
    await db.query(`ALTER TABLE execution_labels ENABLE ROW LEVEL SECURITY`);
    await db.query(`ALTER TABLE execution_labels FORCE ROW LEVEL SECURITY`);
    await db.query(`
      CREATE POLICY tenant_isolation ON execution_labels
        USING (tenant_id = agentq_current_tenant())
        WITH CHECK (tenant_id = agentq_current_tenant())`);
    // Values too long to be searched for (the filter takes at most 1,024 characters) are skipped.
    await db.query(`
      CREATE FUNCTION agentq_label_execution() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
          INSERT INTO execution_labels (tenant_id, label, created_at, execution_id)
          SELECT DISTINCT NEW.tenant_id, x.label, NEW.created_at, NEW.id
            FROM (SELECT 'tag:' || t FROM unnest(COALESCE(NEW.tags, '{}')) AS t
                  UNION ALL
                  SELECT 'meta:' || m.key || '=' || m.value::text
                    FROM jsonb_each(COALESCE(NEW.metadata, '{}')) AS m
                   WHERE jsonb_typeof(m.value) NOT IN ('object', 'array')
                     AND length(m.key) <= 256 AND length(m.value::text) <= 1100) AS x(label);
          RETURN NULL;
        END $$`);
    // WHEN keeps unlabelled inserts (the hot path's usual case) free of the function call.
    await db.query(`
      CREATE TRIGGER agent_executions_label AFTER INSERT ON agent_executions
        FOR EACH ROW WHEN (NEW.tags IS NOT NULL OR NEW.metadata IS NOT NULL)
        EXECUTE FUNCTION agentq_label_execution()`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TRIGGER agent_executions_label ON agent_executions`);
    await db.query(`DROP FUNCTION agentq_label_execution()`);
    await db.query(`DROP TABLE execution_labels`);
    await db.query(`DROP INDEX agent_executions_api_key_created_idx`);
    await db.query(`DROP INDEX agent_executions_end_user_created_idx`);
    for (const table of ['agent_schedules', 'plans', 'agent_executions']) {
      await db.query(`ALTER TABLE ${table} ${DROP_ATTRIBUTION_COLUMNS}`);
    }
  }
}
