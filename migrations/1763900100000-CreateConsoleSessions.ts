import { MigrationInterface, QueryRunner } from 'typeorm';

const FUNCTIONS = [
  'agentq_open_console_session(text, text, uuid, uuid, boolean, text[], timestamptz)',
  'agentq_console_session(text)',
  'agentq_redeem_console_login(text)',
  'agentq_close_console_session(text)',
];

/**
 * Console sessions and one-time login links (docs/security.md, "The console"). Only a SHA-256
 * of each secret is stored. A tenant row carries its API key: revoking or deleting the key ends
 * its sessions at once (the lookup joins it), and deleting the tenant removes them. An admin
 * session has neither. The API looks a session up before it knows the tenant, so every access
 * goes through four narrow SECURITY DEFINER functions, as API keys do; row-level security
 * keeps agentq_app's own view of the table to the tenant set, as everywhere.
 */
export class CreateConsoleSessions1763900100000 implements MigrationInterface {
  name = 'CreateConsoleSessions1763900100000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE console_sessions (
        secret_hash text PRIMARY KEY,
        kind text NOT NULL CHECK (kind IN ('session', 'login_link')),
        tenant_id uuid REFERENCES tenants(id) ON DELETE CASCADE,
        api_key_id uuid REFERENCES api_keys(id) ON DELETE CASCADE,
        admin boolean NOT NULL DEFAULT false,
        scopes text[] NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        CHECK (admin = (api_key_id IS NULL)),
        CHECK ((tenant_id IS NULL) = (api_key_id IS NULL))
      )`);
    // Retention: sign-out deletes the row; every sign-in deletes the rows past their expiry.
    await db.query(`CREATE INDEX console_sessions_expires_idx ON console_sessions (expires_at)`);
    await db.query(`CREATE INDEX console_sessions_api_key_idx ON console_sessions (api_key_id)`);
    await db.query(`ALTER TABLE console_sessions ENABLE ROW LEVEL SECURITY`);
    await db.query(`ALTER TABLE console_sessions FORCE ROW LEVEL SECURITY`);
    await db.query(`
      CREATE POLICY tenant_isolation ON console_sessions
        USING (tenant_id = agentq_current_tenant())
        WITH CHECK (tenant_id = agentq_current_tenant())`);

    await db.query(`
      CREATE FUNCTION agentq_open_console_session(p_secret_hash text, p_kind text,
          p_tenant_id uuid, p_api_key_id uuid, p_admin boolean, p_scopes text[],
          p_expires_at timestamptz)
        RETURNS void
        LANGUAGE sql VOLATILE SECURITY DEFINER
        SET search_path = public, pg_temp
        AS $$
          DELETE FROM console_sessions WHERE expires_at < now();
          INSERT INTO console_sessions
            (secret_hash, kind, tenant_id, api_key_id, admin, scopes, expires_at)
          VALUES (p_secret_hash, p_kind, p_tenant_id, p_api_key_id, p_admin, p_scopes, p_expires_at)
        $$`);
    // A live session whose key (if any) is not revoked; the key's scopes as they are now.
    await db.query(`
      CREATE FUNCTION agentq_console_session(p_secret_hash text)
        RETURNS TABLE (tenant_id uuid, api_key_id uuid, admin boolean, scopes text[],
                       expires_at timestamptz)
        LANGUAGE sql STABLE SECURITY DEFINER
        SET search_path = public, pg_temp
        AS $$
          SELECT s.tenant_id, s.api_key_id, s.admin, COALESCE(k.scopes, s.scopes), s.expires_at
            FROM console_sessions s LEFT JOIN api_keys k ON k.id = s.api_key_id
           WHERE s.secret_hash = p_secret_hash AND s.kind = 'session' AND s.expires_at > now()
             AND (s.admin OR k.revoked_at IS NULL)
        $$`);
    // A login link works once: redeeming deletes it.
    await db.query(`
      CREATE FUNCTION agentq_redeem_console_login(p_secret_hash text)
        RETURNS TABLE (tenant_id uuid, api_key_id uuid, admin boolean, scopes text[])
        LANGUAGE sql VOLATILE SECURITY DEFINER
        SET search_path = public, pg_temp
        AS $$
          DELETE FROM console_sessions s
           WHERE s.secret_hash = p_secret_hash AND s.kind = 'login_link' AND s.expires_at > now()
             AND (s.admin OR NOT EXISTS (
               SELECT 1 FROM api_keys k WHERE k.id = s.api_key_id AND k.revoked_at IS NOT NULL))
          RETURNING s.tenant_id, s.api_key_id, s.admin, s.scopes
        $$`);
    await db.query(`
      CREATE FUNCTION agentq_close_console_session(p_secret_hash text)
        RETURNS void
        LANGUAGE sql VOLATILE SECURITY DEFINER
        SET search_path = public, pg_temp
        AS $$ DELETE FROM console_sessions WHERE secret_hash = p_secret_hash $$`);
    for (const fn of FUNCTIONS) {
      await db.query(`ALTER FUNCTION ${fn} OWNER TO agentq_maintenance`);
      await db.query(`REVOKE ALL ON FUNCTION ${fn} FROM PUBLIC`);
      await db.query(`GRANT EXECUTE ON FUNCTION ${fn} TO agentq_app`);
    }
  }

  async down(db: QueryRunner): Promise<void> {
    for (const fn of [...FUNCTIONS].reverse()) await db.query(`DROP FUNCTION ${fn}`);
    await db.query(`DROP TABLE console_sessions`);
  }
}
