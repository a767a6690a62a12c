import { MigrationInterface, QueryRunner } from 'typeorm';

const FIND = 'agentq_find_waitpoint(bytea)';

/**
 * Approval waitpoints: an execution paused in `requires_action` for a person's decision on tool
 * calls. Only the sha256 of each waitpoint's token is stored. The token is looked up before the
 * tenant is known (POST /v1/waitpoints/:token/complete has no API key), through one narrow
 * SECURITY DEFINER function, like API keys; everything after runs under the tenant's policy.
 */
export class CreateExecutionWaitpoints1763900110002 implements MigrationInterface {
  name = 'CreateExecutionWaitpoints1763900110002';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE execution_waitpoints (
        id uuid PRIMARY KEY,
        tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        execution_id uuid NOT NULL REFERENCES agent_executions(id) ON DELETE CASCADE,
        token_hash bytea NOT NULL UNIQUE CHECK (length(token_hash) = 32),
        tool_calls jsonb NOT NULL,
        decisions jsonb,
        deadline timestamptz NOT NULL,
        completed_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(
      `CREATE INDEX execution_waitpoints_execution ON execution_waitpoints (execution_id)`,
    );
    await db.query(`ALTER TABLE execution_waitpoints ENABLE ROW LEVEL SECURITY`);
    await db.query(`ALTER TABLE execution_waitpoints FORCE ROW LEVEL SECURITY`);
    await db.query(`
      CREATE POLICY tenant_isolation ON execution_waitpoints
        USING (tenant_id = agentq_current_tenant())
        WITH CHECK (tenant_id = agentq_current_tenant())`);
    await db.query(`
      CREATE FUNCTION ${FIND.replace('(bytea)', '(p_token_hash bytea)')}
        RETURNS TABLE (id uuid, tenant_id uuid, execution_id uuid, token_hash bytea)
        LANGUAGE sql STABLE SECURITY DEFINER
        SET search_path = public, pg_temp
        AS $$
          SELECT w.id, w.tenant_id, w.execution_id, w.token_hash FROM execution_waitpoints w
           WHERE w.token_hash = p_token_hash
        $$`);
    await db.query(`ALTER FUNCTION ${FIND} OWNER TO agentq_maintenance`);
    await db.query(`REVOKE ALL ON FUNCTION ${FIND} FROM PUBLIC`);
    await db.query(`GRANT EXECUTE ON FUNCTION ${FIND} TO agentq_app`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP FUNCTION ${FIND}`);
    await db.query(`DROP TABLE execution_waitpoints`);
  }
}
