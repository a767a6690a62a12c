import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The audit log: every management write (tenants, keys, providers, agents, budgets, schedules,
 * webhooks, admin actions), written by libs/audit in the same transaction as the change.
 * Append-only for the application: agentq_app may insert and read its tenant's entries, never
 * update or delete them; agentq_maintenance deletes entries past their retention and nothing
 * else. No foreign keys: an entry outlives the agent, key or tenant it names.
 */
export class CreateAuditLog1763900083000 implements MigrationInterface {
  name = 'CreateAuditLog1763900083000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE audit_log (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id uuid NOT NULL,
        actor_type text NOT NULL CHECK (actor_type IN ('api_key', 'admin', 'system')),
        actor_api_key_id uuid,
        action text NOT NULL,
        target_type text NOT NULL,
        target_id text NOT NULL,
        diff jsonb NOT NULL DEFAULT '{}',
        request_id text,
        source_address text,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(
      `CREATE INDEX audit_log_tenant_created ON audit_log (tenant_id, created_at DESC, id DESC)`,
    );
    await db.query(`CREATE INDEX audit_log_created ON audit_log (created_at DESC, id DESC)`);
    await db.query(`ALTER TABLE audit_log ENABLE ROW LEVEL SECURITY`);
    await db.query(`ALTER TABLE audit_log FORCE ROW LEVEL SECURITY`);
    await db.query(`
      CREATE POLICY tenant_isolation ON audit_log
        USING (tenant_id = agentq_current_tenant())
        WITH CHECK (tenant_id = agentq_current_tenant())`);
    // The default privileges gave both roles every DML right: take back what append-only forbids.
    await db.query(`REVOKE UPDATE, DELETE, TRUNCATE ON audit_log FROM agentq_app`);
    await db.query(`REVOKE UPDATE, TRUNCATE ON audit_log FROM agentq_maintenance`);
    // The admin's cross-tenant read, like agentq_admin_list_tenants(): one narrow function.
    await db.query(`
      CREATE FUNCTION agentq_admin_audit_log() RETURNS SETOF audit_log
        LANGUAGE sql STABLE SECURITY DEFINER
        SET search_path = public, pg_temp
        AS $$ SELECT * FROM audit_log $$`);
    await db.query(`ALTER FUNCTION agentq_admin_audit_log() OWNER TO agentq_maintenance`);
    await db.query(`REVOKE ALL ON FUNCTION agentq_admin_audit_log() FROM PUBLIC`);
    await db.query(`GRANT EXECUTE ON FUNCTION agentq_admin_audit_log() TO agentq_app`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP FUNCTION agentq_admin_audit_log()`);
    await db.query(`DROP TABLE audit_log`);
  }
}
