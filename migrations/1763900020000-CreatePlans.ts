import { MigrationInterface, QueryRunner } from 'typeorm';

/** The tenant-owned tables below, each with the same tenant_isolation policy as the others. */
const TABLES = ['projects', 'plans', 'plan_tasks'] as const;

/**
 * Projects hold plans; a plan is a DAG of tasks. A task's execution is an ordinary
 * agent_executions row, created in the transaction that records its last dependency's success
 * (plan_tasks.execution_id is unique: a task gets at most one execution). Agents gain
 * capabilities, which a task may name instead of an agent.
 */
export class CreatePlans1763900020000 implements MigrationInterface {
  name = 'CreatePlans1763900020000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE agents ADD COLUMN capabilities text[] NOT NULL DEFAULT '{}'`);
    await db.query(`CREATE INDEX agents_capabilities ON agents USING gin (capabilities)`);

    await db.query(`
      CREATE TABLE projects (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        name text NOT NULL,
        description text,
        metadata jsonb NOT NULL DEFAULT '{}',
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`CREATE INDEX projects_tenant_created ON projects (tenant_id, created_at, id)`);

    await db.query(`
      CREATE TABLE plans (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        project_id uuid REFERENCES projects(id) ON DELETE SET NULL,
        title text NOT NULL,
        description text,
        input jsonb NOT NULL DEFAULT '{}',
        failure_policy text NOT NULL DEFAULT 'fail_fast'
          CHECK (failure_policy IN ('fail_fast', 'continue')),
        status text NOT NULL DEFAULT 'running'
          CHECK (status IN ('running', 'succeeded', 'failed', 'cancelled')),
        idempotency_key text,
        created_at timestamptz NOT NULL DEFAULT now(),
        completed_at timestamptz
      )`);
    await db.query(
      `CREATE INDEX plans_tenant_created ON plans (tenant_id, created_at DESC, id DESC)`,
    );
    await db.query(`CREATE INDEX plans_project ON plans (project_id) WHERE project_id IS NOT NULL`);
    await db.query(`CREATE UNIQUE INDEX plans_tenant_idempotency ON plans (tenant_id, idempotency_key)
                      WHERE idempotency_key IS NOT NULL`);

    await db.query(`
      CREATE TABLE plan_tasks (
        plan_id uuid NOT NULL REFERENCES plans(id) ON DELETE CASCADE,
        key text NOT NULL,
        tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        position integer NOT NULL,
        title text,
        agent_id uuid REFERENCES agents(id) ON DELETE SET NULL,
        capability text,
        input jsonb NOT NULL,
        depends_on text[] NOT NULL DEFAULT '{}',
        priority smallint NOT NULL DEFAULT 5 CHECK (priority BETWEEN 1 AND 10),
        max_attempts integer NOT NULL DEFAULT 3,
        timeout_ms integer,
        status text NOT NULL DEFAULT 'pending'
          CHECK (status IN ('pending', 'queued', 'succeeded', 'failed', 'cancelled', 'skipped')),
        execution_id uuid UNIQUE REFERENCES agent_executions(id) ON DELETE SET NULL,
        error jsonb,
        completed_at timestamptz,
        -- No CHECK that an agent or a capability is set: deleting an agent nulls agent_id.
        PRIMARY KEY (plan_id, key)
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
    for (const table of [...TABLES].reverse()) {
      await db.query(`DROP TABLE ${table}`);
    }
    await db.query(`DROP INDEX agents_capabilities`);
    await db.query(`ALTER TABLE agents DROP COLUMN capabilities`);
  }
}
