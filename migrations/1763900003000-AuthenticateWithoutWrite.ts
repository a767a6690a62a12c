import { MigrationInterface, QueryRunner } from 'typeorm';

const RECORD_USE = 'agentq_record_api_key_use(uuid[], timestamptz[])';

const authenticate = (volatility: 'STABLE' | 'VOLATILE', body: string) => `
  CREATE OR REPLACE FUNCTION agentq_authenticate_api_key(p_key_hash text)
    RETURNS TABLE (id uuid, tenant_id uuid, scopes text[])
    LANGUAGE sql ${volatility} SECURITY DEFINER
    SET search_path = public, pg_temp
    AS $$ ${body} $$`;

/**
 * Authentication reads and never writes: stamping last_used_at on every request took a row lock
 * that every concurrent request with the same key queued on. The API now records uses in memory
 * and writes them in batches through agentq_record_api_key_use. CREATE OR REPLACE keeps the
 * lookup's name, owner and grants, so API processes of the previous release keep working while
 * a deployment rolls.
 */
export class AuthenticateWithoutWrite1763900003000 implements MigrationInterface {
  name = 'AuthenticateWithoutWrite1763900003000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(
      authenticate(
        'STABLE',
        `SELECT k.id, k.tenant_id, k.scopes FROM api_keys k
          WHERE k.key_hash = p_key_hash AND k.revoked_at IS NULL`,
      ),
    );
    // Uses of revoked keys still count (they happened before the revocation); a time ahead of
    // the database's clock is clamped, and an older time never replaces a newer one.
    await db.query(`
      CREATE FUNCTION agentq_record_api_key_use(p_ids uuid[], p_used_at timestamptz[])
        RETURNS void
        LANGUAGE sql VOLATILE SECURITY DEFINER
        SET search_path = public, pg_temp
        AS $$
          UPDATE api_keys k SET last_used_at = LEAST(u.used_at, now())
            FROM unnest(p_ids, p_used_at) AS u(id, used_at)
           WHERE k.id = u.id
             AND (k.last_used_at IS NULL OR k.last_used_at < LEAST(u.used_at, now()))
        $$`);
    await db.query(`ALTER FUNCTION ${RECORD_USE} OWNER TO agentq_maintenance`);
    await db.query(`REVOKE ALL ON FUNCTION ${RECORD_USE} FROM PUBLIC`);
    await db.query(`GRANT EXECUTE ON FUNCTION ${RECORD_USE} TO agentq_app`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP FUNCTION ${RECORD_USE}`);
    await db.query(
      authenticate(
        'VOLATILE',
        `UPDATE api_keys k SET last_used_at = now()
          WHERE k.key_hash = p_key_hash AND k.revoked_at IS NULL
         RETURNING k.id, k.tenant_id, k.scopes`,
      ),
    );
  }
}
