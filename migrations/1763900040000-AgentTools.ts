import { MigrationInterface, QueryRunner } from 'typeorm';

const STATUSES_BEFORE = `'queued','running','succeeded','failed','cancelled'`;
const STATUSES_AFTER = `'queued','running','requires_action','succeeded','failed','cancelled'`;

/**
 * The partial indexes of unfinished executions, by the statuses they cover. A paused execution
 * is unfinished too, and the terminal UPDATE (`status IN ('queued', 'running',
 * 'requires_action')`) can use them only if their predicate covers all three; without that, its
 * cached generic plan scans the whole table on every batch.
 */
function unfinishedIndexes(statuses: string): string[] {
  return [
    `CREATE INDEX agent_executions_unfinished_idx ON agent_executions (status, queued_at)
       WHERE status IN (${statuses})`,
    `CREATE INDEX agent_executions_tenant_unfinished_created_idx
       ON agent_executions (tenant_id, status, created_at DESC, id DESC)
       WHERE status IN (${statuses})`,
  ];
}
const UNFINISHED_BEFORE = `'queued','running'`;
const UNFINISHED_AFTER = `'queued','running','requires_action'`;

/** Tenant-owned tables created here, each with the tenant_isolation policy of the others. */
const TABLES = ['execution_steps', 'tool_signing_secrets'] as const;

/**
 * Agents that act: agents gain tools and a step limit; an execution becomes a loop of steps
 * (model calls and tool calls, one row each) and may pause in `requires_action` while a client
 * runs its tools. Each tenant gets one signing secret for the calls to its http tools.
 */
export class AgentTools1763900040000 implements MigrationInterface {
  name = 'AgentTools1763900040000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      ALTER TABLE agents
        ADD COLUMN tools jsonb NOT NULL DEFAULT '[]',
        ADD COLUMN max_steps integer NOT NULL DEFAULT 8 CHECK (max_steps BETWEEN 1 AND 50),
        ADD COLUMN action_timeout_ms integer CHECK (action_timeout_ms > 0)`);

    await db.query(`
      ALTER TABLE agent_executions
        DROP CONSTRAINT agent_executions_status_check,
        ADD CONSTRAINT agent_executions_status_check CHECK (status IN (${STATUSES_AFTER})),
        ADD COLUMN required_action jsonb,
        ADD COLUMN action_timeout_ms integer CHECK (action_timeout_ms > 0),
        ADD COLUMN action_deadline timestamptz,
        ADD CONSTRAINT agent_executions_waiting_has_action
          CHECK ((status = 'requires_action') = (required_action IS NOT NULL))`);
    await db.query(`
      CREATE INDEX agent_executions_action_deadline_idx ON agent_executions (action_deadline)
        WHERE status = 'requires_action'`);
    await this.replaceUnfinishedIndexes(db, UNFINISHED_AFTER);

    await db.query(`
      CREATE TABLE execution_steps (
        execution_id uuid NOT NULL REFERENCES agent_executions(id) ON DELETE CASCADE,
        step_index integer NOT NULL CHECK (step_index >= 0),
        tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        type text NOT NULL CHECK (type IN ('model', 'tool')),
        name text NOT NULL,
        tool_call_id text,
        arguments jsonb,
        result text,
        result_length integer,
        tool_calls jsonb,
        model text,
        finish_reason text,
        prompt_tokens integer NOT NULL DEFAULT 0 CHECK (prompt_tokens >= 0),
        completion_tokens integer NOT NULL DEFAULT 0 CHECK (completion_tokens >= 0),
        cost_usd numeric(20,9) NOT NULL DEFAULT 0 CHECK (cost_usd >= 0),
        attempt integer NOT NULL,
        duration_ms integer,
        error jsonb,
        started_at timestamptz NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (execution_id, step_index),
        CHECK ((type = 'tool') = (tool_call_id IS NOT NULL))
      )`);
    // A tool call is recorded once, whoever ran it and however often.
    await db.query(`
      CREATE UNIQUE INDEX execution_steps_tool_call ON execution_steps (execution_id, tool_call_id)
        WHERE tool_call_id IS NOT NULL`);

    await db.query(`
      CREATE TABLE tool_signing_secrets (
        tenant_id uuid PRIMARY KEY REFERENCES tenants(id) ON DELETE CASCADE,
        secret_ciphertext text NOT NULL,
        secret_last4 text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);

    for (const table of TABLES) {
      await db.query(`ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY`);
      await db.query(`ALTER TABLE ${table} FORCE ROW LEVEL SECURITY`);
      await db.query(`
        CREATE POLICY tenant_isolation ON ${table}
          USING (tenant_id = agentq_current_tenant())
          WITH CHECK (tenant_id = agentq_current_tenant())`);
    }
  }

  async down(db: QueryRunner): Promise<void> {
    for (const table of [...TABLES].reverse()) await db.query(`DROP TABLE ${table}`);
    await db.query(`DROP INDEX agent_executions_action_deadline_idx`);
    await this.replaceUnfinishedIndexes(db, UNFINISHED_BEFORE);
    // Executions waiting on a client cannot exist in the older schema: they end failed.
    await db.query(`
      UPDATE agent_executions
         SET status = 'failed', completed_at = now(), required_action = NULL,
             error = '{"code":"action_timeout","message":"schema downgraded while waiting"}'
       WHERE status = 'requires_action'`);
    await db.query(`
      ALTER TABLE agent_executions
        DROP CONSTRAINT agent_executions_waiting_has_action,
        DROP COLUMN required_action,
        DROP COLUMN action_timeout_ms,
        DROP COLUMN action_deadline,
        DROP CONSTRAINT agent_executions_status_check,
        ADD CONSTRAINT agent_executions_status_check CHECK (status IN (${STATUSES_BEFORE}))`);
    await db.query(`
      ALTER TABLE agents DROP COLUMN tools, DROP COLUMN max_steps, DROP COLUMN action_timeout_ms`);
  }

  private async replaceUnfinishedIndexes(db: QueryRunner, statuses: string): Promise<void> {
    await db.query(`DROP INDEX agent_executions_unfinished_idx`);
    await db.query(`DROP INDEX agent_executions_tenant_unfinished_created_idx`);
    for (const statement of unfinishedIndexes(statuses)) await db.query(statement);
  }
}
