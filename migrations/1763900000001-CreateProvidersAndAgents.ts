import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateProvidersAndAgents1763900000001 implements MigrationInterface {
  name = 'CreateProvidersAndAgents1763900000001';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE llm_providers (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        name text NOT NULL,
        type text NOT NULL CHECK (type IN ('openai','anthropic','openai-compatible','echo')),
        base_url text,
        api_key_ciphertext text,
        api_key_last4 text,
        is_default boolean NOT NULL DEFAULT false,
        is_active boolean NOT NULL DEFAULT true,
        pricing jsonb,
        settings jsonb NOT NULL DEFAULT '{}',
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT llm_providers_tenant_name_key UNIQUE (tenant_id, name)
      )`);
    await db.query(`
      CREATE UNIQUE INDEX llm_providers_one_default_per_tenant
        ON llm_providers (tenant_id) WHERE is_default`);
    await db.query(`
      CREATE TABLE agents (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        provider_id uuid NOT NULL REFERENCES llm_providers(id) ON DELETE RESTRICT,
        name text NOT NULL,
        role text NOT NULL,
        backstory text,
        goal text,
        description text,
        status text NOT NULL DEFAULT 'active'
          CHECK (status IN ('draft','active','paused','archived')),
        llm_config jsonb NOT NULL CHECK (jsonb_typeof(llm_config) = 'object' AND llm_config ? 'model'),
        enable_memory boolean NOT NULL DEFAULT false,
        max_concurrency integer CHECK (max_concurrency > 0),
        space text,
        owner text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(
      `CREATE INDEX agents_tenant_created_idx ON agents (tenant_id, created_at DESC, id)`,
    );
    await db.query(`CREATE INDEX agents_provider_idx ON agents (provider_id)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE agents`);
    await db.query(`DROP TABLE llm_providers`);
  }
}
