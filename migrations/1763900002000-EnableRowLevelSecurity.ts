import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Every table with a tenant_id (and tenants itself, by id). A new tenant-owned table needs its
 * own policy in its migration; test/row-level-security.int-spec.ts fails until it has one.
 */
export const TENANT_TABLES = [
  'tenants',
  'api_keys',
  'llm_providers',
  'agents',
  'agent_memories',
  'agent_executions',
  'agent_usage_daily',
  'agent_usage_stats',
  'sessions',
  'session_events',
  'agent_messages',
] as const;

const APP_ROLES = 'agentq_app, agentq_maintenance';

/** Roles are cluster-global and shared by every database of the cluster: created once, never dropped. */
const createRole = (name: string, attributes: string) => `
  DO $$
  BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '${name}') THEN
      CREATE ROLE ${name} ${attributes};
    END IF;
  EXCEPTION WHEN duplicate_object OR unique_violation THEN
    NULL; -- created concurrently by another database's migration
  END
  $$`;

/**
 * Row-level security as a second wall behind the API's own tenant filters. The application
 * connects as agentq_app (not the owner, no BYPASSRLS) and sets the tenant per transaction
 * with set_config('agentq.tenant_id', $1, true); with no tenant set, a tenant table shows no
 * rows and accepts no writes. agentq_maintenance (BYPASSRLS) is for internal cross-tenant
 * jobs only (reconciler, retention, CLI tools), never the API's request path.
 */
export class EnableRowLevelSecurity1763900002000 implements MigrationInterface {
  name = 'EnableRowLevelSecurity1763900002000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(createRole('agentq_app', 'NOLOGIN NOSUPERUSER NOBYPASSRLS NOINHERIT'));
    await db.query(createRole('agentq_maintenance', 'NOLOGIN NOSUPERUSER BYPASSRLS'));

    await db.query(`GRANT USAGE ON SCHEMA public TO ${APP_ROLES}`);
    await db.query(
      `GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO ${APP_ROLES}`,
    );
    await db.query(`GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO ${APP_ROLES}`);
    // Tables of later migrations get the same grants; a tenant-owned one still needs a policy.
    await db.query(`ALTER DEFAULT PRIVILEGES IN SCHEMA public
      GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO ${APP_ROLES}`);
    await db.query(`ALTER DEFAULT PRIVILEGES IN SCHEMA public
      GRANT USAGE, SELECT ON SEQUENCES TO ${APP_ROLES}`);
    // The migration history is the owner's business.
    await db.query(`REVOKE ALL ON typeorm_migrations FROM ${APP_ROLES}`);

    await db.query(`
      CREATE FUNCTION agentq_current_tenant() RETURNS uuid
        LANGUAGE sql STABLE
        AS $$ SELECT NULLIF(current_setting('agentq.tenant_id', true), '')::uuid $$`);

    for (const table of TENANT_TABLES) {
      const column = table === 'tenants' ? 'id' : 'tenant_id';
      await db.query(`ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY`);
      await db.query(`ALTER TABLE ${table} FORCE ROW LEVEL SECURITY`);
      await db.query(`
        CREATE POLICY tenant_isolation ON ${table}
          USING (${column} = agentq_current_tenant())
          WITH CHECK (${column} = agentq_current_tenant())`);
    }

    // The two lookups the API makes before it knows the tenant. SECURITY DEFINER functions
    // owned by agentq_maintenance (the owner itself is subject to FORCE ROW LEVEL SECURITY),
    // each doing one narrow thing, executable by agentq_app only.
    await db.query(`
      CREATE FUNCTION agentq_authenticate_api_key(p_key_hash text)
        RETURNS TABLE (id uuid, tenant_id uuid, scopes text[])
        LANGUAGE sql VOLATILE SECURITY DEFINER
        SET search_path = public, pg_temp
        AS $$
          UPDATE api_keys k SET last_used_at = now()
           WHERE k.key_hash = p_key_hash AND k.revoked_at IS NULL
          RETURNING k.id, k.tenant_id, k.scopes
        $$`);
    await db.query(`
      CREATE FUNCTION agentq_admin_list_tenants() RETURNS SETOF tenants
        LANGUAGE sql STABLE SECURITY DEFINER
        SET search_path = public, pg_temp
        AS $$ SELECT * FROM tenants $$`);
    for (const fn of ['agentq_authenticate_api_key(text)', 'agentq_admin_list_tenants()']) {
      await db.query(`ALTER FUNCTION ${fn} OWNER TO agentq_maintenance`);
      await db.query(`REVOKE ALL ON FUNCTION ${fn} FROM PUBLIC`);
      await db.query(`GRANT EXECUTE ON FUNCTION ${fn} TO agentq_app`);
    }
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP FUNCTION agentq_admin_list_tenants()`);
    await db.query(`DROP FUNCTION agentq_authenticate_api_key(text)`);
    for (const table of [...TENANT_TABLES].reverse()) {
      await db.query(`DROP POLICY tenant_isolation ON ${table}`);
      await db.query(`ALTER TABLE ${table} NO FORCE ROW LEVEL SECURITY`);
      await db.query(`ALTER TABLE ${table} DISABLE ROW LEVEL SECURITY`);
    }
    await db.query(`DROP FUNCTION agentq_current_tenant()`);
    await db.query(`ALTER DEFAULT PRIVILEGES IN SCHEMA public
      REVOKE USAGE, SELECT ON SEQUENCES FROM ${APP_ROLES}`);
    await db.query(`ALTER DEFAULT PRIVILEGES IN SCHEMA public
      REVOKE SELECT, INSERT, UPDATE, DELETE ON TABLES FROM ${APP_ROLES}`);
    await db.query(`REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM ${APP_ROLES}`);
    await db.query(`REVOKE ALL ON ALL TABLES IN SCHEMA public FROM ${APP_ROLES}`);
    await db.query(`REVOKE USAGE ON SCHEMA public FROM ${APP_ROLES}`);
    // The roles stay: other databases of the cluster may use them.
  }
}
