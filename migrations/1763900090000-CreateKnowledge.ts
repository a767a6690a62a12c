import { MigrationInterface, QueryRunner } from 'typeorm';

/** The tenant-owned tables below; entries and chunks add the agent visibility rule. */
const TABLES = [
  'knowledge_settings',
  'knowledge_entries',
  'knowledge_versions',
  'knowledge_chunks',
  'knowledge_embedding_usage',
] as const;

/** Tables whose rows an agent sees only when the row's visibility lets it. */
const VISIBILITY_TABLES = ['knowledge_entries', 'knowledge_chunks'] as const;

/** HNSW indexes are per dimension count (pgvector indexes a typed `vector(n)` expression). */
export const PGVECTOR_INDEXED_DIMENSIONS = [384, 768, 1024, 1536] as const;

/**
 * The knowledge base (libs/knowledge owns every table here). Chunks carry their embedding in a
 * pgvector `vector` column with HNSW indexes where the server offers the extension, else in a
 * `real[]` scanned exactly; the application reads which at boot. Visibility is enforced by the
 * row-level policy: with `agentq.agent_id` set (a search on an agent's behalf), only the
 * tenant-wide rows, the rows whose access list names the agent and its private rows show.
 */
export class CreateKnowledge1763900090000 implements MigrationInterface {
  name = 'CreateKnowledge1763900090000';

  async up(db: QueryRunner): Promise<void> {
    // CREATE EXTENSION may be refused (no pgvector files, no privilege): the DO block's
    // handler keeps the migration's transaction alive, and the exact path is used instead.
    await db.query(`
      DO $$
      BEGIN
        IF EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'vector') THEN
          CREATE EXTENSION IF NOT EXISTS vector;
        END IF;
      EXCEPTION WHEN OTHERS THEN
        RAISE NOTICE 'pgvector not created: %', SQLERRM;
      END
      $$`);
    const [{ pgvector }]: { pgvector: boolean }[] = await db.query(
      `SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'vector') AS pgvector`,
    );
    const vectorType = pgvector ? 'vector' : 'real[]';

    await db.query(`
      CREATE FUNCTION agentq_current_agent() RETURNS uuid
        LANGUAGE sql STABLE
        AS $$ SELECT NULLIF(current_setting('agentq.agent_id', true), '')::uuid $$`);
    // The exact path's similarity: vectors are stored normalised, so the dot product is the cosine.
    await db.query(`
      CREATE FUNCTION agentq_dot(a real[], b real[]) RETURNS double precision
        LANGUAGE sql IMMUTABLE PARALLEL SAFE
        AS $$ SELECT sum(x * y) FROM unnest(a, b) AS t(x, y) $$`);

    await db.query(`ALTER TABLE agents ADD COLUMN knowledge jsonb`);
    await db.query(`ALTER TABLE agent_executions ADD COLUMN knowledge_ids uuid[]`);
    await db.query(`ALTER TABLE agent_executions ADD COLUMN save_output_as jsonb`);
    await db.query(`ALTER TABLE plan_tasks ADD COLUMN save_output_as jsonb`);

    await db.query(`
      CREATE TABLE knowledge_settings (
        tenant_id uuid PRIMARY KEY REFERENCES tenants(id) ON DELETE CASCADE,
        -- What new vectors are made with; the serving_* columns say what the stored ones were.
        provider_id uuid REFERENCES llm_providers(id) ON DELETE SET NULL,
        model text NOT NULL,
        serving_provider_id uuid REFERENCES llm_providers(id) ON DELETE SET NULL,
        serving_model text,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);

    await db.query(`
      CREATE TABLE knowledge_entries (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        type text NOT NULL CHECK (type IN ('code_snippet', 'adr', 'documentation', 'pattern',
          'task_template', 'handover', 'analysis', 'template', 'rule')),
        title text NOT NULL,
        content text NOT NULL,
        tags text[] NOT NULL DEFAULT '{}',
        visibility text NOT NULL DEFAULT 'tenant' CHECK (visibility IN ('tenant', 'agents', 'private')),
        agent_ids uuid[] NOT NULL DEFAULT '{}',
        owner_agent_id uuid REFERENCES agents(id) ON DELETE CASCADE,
        confidence real CHECK (confidence BETWEEN 0 AND 1),
        source jsonb,
        collection text,
        version integer NOT NULL DEFAULT 1,
        embedding_status text NOT NULL DEFAULT 'pending'
          CHECK (embedding_status IN ('pending', 'ready', 'failed')),
        embedding_error text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CHECK (visibility <> 'private' OR owner_agent_id IS NOT NULL)
      )`);
    await db.query(
      `CREATE INDEX knowledge_entries_tenant_created ON knowledge_entries (tenant_id, created_at DESC, id DESC)`,
    );
    await db.query(`CREATE INDEX knowledge_entries_tags ON knowledge_entries USING gin (tags)`);
    await db.query(
      `CREATE INDEX knowledge_entries_collection ON knowledge_entries (tenant_id, collection) WHERE collection IS NOT NULL`,
    );

    await db.query(`
      CREATE TABLE knowledge_versions (
        entry_id uuid NOT NULL REFERENCES knowledge_entries(id) ON DELETE CASCADE,
        version integer NOT NULL,
        tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        type text NOT NULL,
        title text NOT NULL,
        content text NOT NULL,
        tags text[] NOT NULL,
        confidence real,
        collection text,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (entry_id, version)
      )`);

    // A chunk of an entry or of a memory (exactly one), with the entry's visibility and
    // filter fields copied so that a search reads one table.
    await db.query(`
      CREATE TABLE knowledge_chunks (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        entry_id uuid REFERENCES knowledge_entries(id) ON DELETE CASCADE,
        memory_id uuid REFERENCES agent_memories(id) ON DELETE CASCADE,
        ordinal integer NOT NULL,
        content text NOT NULL,
        start_token integer NOT NULL,
        token_count integer NOT NULL,
        search_vector tsvector GENERATED ALWAYS AS (to_tsvector('english', content)) STORED,
        type text,
        tags text[] NOT NULL DEFAULT '{}',
        collection text,
        visibility text NOT NULL,
        agent_ids uuid[] NOT NULL DEFAULT '{}',
        owner_agent_id uuid,
        embedding ${vectorType},
        embedding_dims integer,
        embedding_model text,
        next_embedding ${vectorType},
        next_dims integer,
        next_model text,
        -- An embedding job's lease on the chunk, so that concurrent jobs take disjoint batches.
        embedding_claimed_until timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        CHECK ((entry_id IS NULL) <> (memory_id IS NULL))
      )`);
    await db.query(
      `CREATE UNIQUE INDEX knowledge_chunks_entry ON knowledge_chunks (entry_id, ordinal) WHERE entry_id IS NOT NULL`,
    );
    await db.query(
      `CREATE INDEX knowledge_chunks_memory ON knowledge_chunks (memory_id) WHERE memory_id IS NOT NULL`,
    );
    await db.query(
      `CREATE INDEX knowledge_chunks_search ON knowledge_chunks USING gin (search_vector)`,
    );
    // The embedding job's queue: chunks without a vector of the tenant's current model (and,
    // while re-embedding, of the next one).
    await db.query(
      `CREATE INDEX knowledge_chunks_tenant_model ON knowledge_chunks (tenant_id, embedding_model)`,
    );
    await db.query(
      `CREATE INDEX knowledge_chunks_tenant_next_model ON knowledge_chunks (tenant_id, next_model)`,
    );
    if (pgvector) {
      for (const dims of PGVECTOR_INDEXED_DIMENSIONS) {
        await db.query(`
          CREATE INDEX knowledge_chunks_hnsw_${dims} ON knowledge_chunks
            USING hnsw ((embedding::vector(${dims})) vector_cosine_ops)
            WHERE embedding_dims = ${dims}`);
      }
    }

    await db.query(`
      CREATE TABLE knowledge_embedding_usage (
        tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        day date NOT NULL,
        model text NOT NULL,
        requests bigint NOT NULL DEFAULT 0,
        tokens bigint NOT NULL DEFAULT 0,
        cost_usd numeric(20, 9) NOT NULL DEFAULT 0,
        PRIMARY KEY (tenant_id, day, model)
      )`);

    for (const table of TABLES) {
      await db.query(`ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY`);
      await db.query(`ALTER TABLE ${table} FORCE ROW LEVEL SECURITY`);
      const visible = (VISIBILITY_TABLES as readonly string[]).includes(table)
        ? ` AND (agentq_current_agent() IS NULL OR visibility = 'tenant'
                 OR (visibility = 'agents' AND agentq_current_agent() = ANY (agent_ids))
                 OR (visibility = 'private' AND owner_agent_id = agentq_current_agent()))`
        : '';
      await db.query(`
        CREATE POLICY tenant_isolation ON ${table}
          USING (tenant_id = agentq_current_tenant()${visible})
          WITH CHECK (tenant_id = agentq_current_tenant())`);
    }
  }

  async down(db: QueryRunner): Promise<void> {
    for (const table of [...TABLES].reverse()) await db.query(`DROP TABLE ${table}`);
    await db.query(`ALTER TABLE plan_tasks DROP COLUMN save_output_as`);
    await db.query(`ALTER TABLE agent_executions DROP COLUMN save_output_as`);
    await db.query(`ALTER TABLE agent_executions DROP COLUMN knowledge_ids`);
    await db.query(`ALTER TABLE agents DROP COLUMN knowledge`);
    await db.query(`DROP FUNCTION agentq_dot(real[], real[])`);
    await db.query(`DROP FUNCTION agentq_current_agent()`);
    // The extension stays: other schemas of the database may use it.
  }
}
