import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateAgentContext1763900000003 implements MigrationInterface {
  name = 'CreateAgentContext1763900000003';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE agent_memories (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        agent_id uuid NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
        type text NOT NULL CHECK (type IN ('conversation','learning','goal','context')),
        content text NOT NULL,
        importance smallint NOT NULL DEFAULT 5 CHECK (importance BETWEEN 1 AND 10),
        metadata jsonb NOT NULL DEFAULT '{}',
        search_vector tsvector GENERATED ALWAYS AS (to_tsvector('english', content)) STORED,
        created_at timestamptz NOT NULL DEFAULT now(),
        last_accessed_at timestamptz
      )`);
    await db.query(
      `CREATE INDEX agent_memories_search_idx ON agent_memories USING gin (search_vector)`,
    );
    await db.query(
      `CREATE INDEX agent_memories_agent_rank_idx ON agent_memories (agent_id, importance DESC, created_at DESC)`,
    );
    await db.query(`
      CREATE TABLE session_events (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        session_id uuid NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
        execution_id uuid REFERENCES agent_executions(id) ON DELETE SET NULL,
        type text NOT NULL,
        payload jsonb NOT NULL DEFAULT '{}',
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(
      `CREATE INDEX session_events_session_created_idx ON session_events (session_id, created_at)`,
    );
    await db.query(`
      CREATE TABLE agent_messages (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        session_id uuid REFERENCES sessions(id) ON DELETE CASCADE,
        from_agent_id uuid NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
        to_agent_id uuid NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
        from_execution_id uuid REFERENCES agent_executions(id) ON DELETE SET NULL,
        to_execution_id uuid REFERENCES agent_executions(id) ON DELETE SET NULL,
        in_reply_to_id uuid REFERENCES agent_messages(id) ON DELETE SET NULL,
        content text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(
      `CREATE INDEX agent_messages_from_idx ON agent_messages (from_agent_id, created_at DESC)`,
    );
    await db.query(
      `CREATE INDEX agent_messages_to_idx ON agent_messages (to_agent_id, created_at DESC)`,
    );
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE agent_messages`);
    await db.query(`DROP TABLE session_events`);
    await db.query(`DROP TABLE agent_memories`);
  }
}
