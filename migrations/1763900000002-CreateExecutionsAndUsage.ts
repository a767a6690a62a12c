import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateExecutionsAndUsage1763900000002 implements MigrationInterface {
  name = 'CreateExecutionsAndUsage1763900000002';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE sessions (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        agent_id uuid REFERENCES agents(id) ON DELETE SET NULL,
        title text,
        status text NOT NULL DEFAULT 'active' CHECK (status IN ('active','ended','archived')),
        metadata jsonb NOT NULL DEFAULT '{}',
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        ended_at timestamptz
      )`);
    await db.query(
      `CREATE INDEX sessions_tenant_created_idx ON sessions (tenant_id, created_at DESC, id)`,
    );
    await db.query(`
      CREATE TABLE agent_executions (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        agent_id uuid NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
        session_id uuid REFERENCES sessions(id) ON DELETE SET NULL,
        status text NOT NULL DEFAULT 'queued'
          CHECK (status IN ('queued','running','succeeded','failed','cancelled')),
        priority smallint NOT NULL DEFAULT 5 CHECK (priority BETWEEN 1 AND 10),
        input jsonb NOT NULL,
        output jsonb,
        error jsonb,
        attempts integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
        max_attempts integer NOT NULL DEFAULT 3 CHECK (max_attempts BETWEEN 1 AND 100),
        timeout_ms integer CHECK (timeout_ms > 0),
        run_at timestamptz,
        model text,
        prompt_tokens integer NOT NULL DEFAULT 0 CHECK (prompt_tokens >= 0),
        completion_tokens integer NOT NULL DEFAULT 0 CHECK (completion_tokens >= 0),
        total_tokens integer GENERATED ALWAYS AS (prompt_tokens + completion_tokens) STORED,
        cost_usd numeric(20,9) NOT NULL DEFAULT 0 CHECK (cost_usd >= 0),
        duration_ms integer CHECK (duration_ms >= 0),
        queued_at timestamptz NOT NULL DEFAULT now(),
        started_at timestamptz,
        completed_at timestamptz,
        worker_id text,
        idempotency_key text,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT agent_executions_terminal_has_completed_at
          CHECK ((status IN ('succeeded','failed','cancelled')) = (completed_at IS NOT NULL))
      )`);
    await db.query(`
      CREATE UNIQUE INDEX agent_executions_tenant_idempotency_key
        ON agent_executions (tenant_id, idempotency_key) WHERE idempotency_key IS NOT NULL`);
    await db.query(
      `CREATE INDEX agent_executions_tenant_created_idx ON agent_executions (tenant_id, created_at DESC, id DESC)`,
    );
    await db.query(
      `CREATE INDEX agent_executions_agent_created_idx ON agent_executions (agent_id, created_at DESC, id DESC)`,
    );
    await db.query(
      `CREATE INDEX agent_executions_tenant_status_created_idx ON agent_executions (tenant_id, status, created_at DESC, id DESC)`,
    );
    await db.query(`
      CREATE INDEX agent_executions_unfinished_idx ON agent_executions (status, queued_at)
        WHERE status IN ('queued','running')`);
    await db.query(
      `CREATE INDEX agent_executions_session_idx ON agent_executions (session_id, created_at) WHERE session_id IS NOT NULL`,
    );
    await db.query(`
      CREATE TABLE agent_usage_daily (
        agent_id uuid NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
        day date NOT NULL,
        model text NOT NULL DEFAULT '',
        tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        executions bigint NOT NULL DEFAULT 0,
        succeeded bigint NOT NULL DEFAULT 0,
        failed bigint NOT NULL DEFAULT 0,
        cancelled bigint NOT NULL DEFAULT 0,
        prompt_tokens bigint NOT NULL DEFAULT 0,
        completion_tokens bigint NOT NULL DEFAULT 0,
        total_tokens bigint NOT NULL DEFAULT 0,
        cost_usd numeric(24,9) NOT NULL DEFAULT 0,
        total_duration_ms bigint NOT NULL DEFAULT 0,
        timed_executions bigint NOT NULL DEFAULT 0,
        PRIMARY KEY (agent_id, day, model)
      )`);
    await db.query(
      `CREATE INDEX agent_usage_daily_tenant_day_idx ON agent_usage_daily (tenant_id, day)`,
    );
    await db.query(`
      CREATE TABLE agent_usage_stats (
        agent_id uuid PRIMARY KEY REFERENCES agents(id) ON DELETE CASCADE,
        tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        total_executions bigint NOT NULL DEFAULT 0,
        successful_executions bigint NOT NULL DEFAULT 0,
        failed_executions bigint NOT NULL DEFAULT 0,
        cancelled_executions bigint NOT NULL DEFAULT 0,
        prompt_tokens bigint NOT NULL DEFAULT 0,
        completion_tokens bigint NOT NULL DEFAULT 0,
        total_tokens bigint NOT NULL DEFAULT 0,
        total_cost_usd numeric(24,9) NOT NULL DEFAULT 0,
        total_duration_ms bigint NOT NULL DEFAULT 0,
        timed_executions bigint NOT NULL DEFAULT 0,
        last_executed_at timestamptz
      )`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE agent_usage_stats`);
    await db.query(`DROP TABLE agent_usage_daily`);
    await db.query(`DROP TABLE agent_executions`);
    await db.query(`DROP TABLE sessions`);
  }
}
