import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Usage by who ran it: a daily rollup per (tenant, day, agent, model, API key, end user, tag),
 * written by the terminal transition in the same statement as agent_usage_daily. Each terminal
 * execution adds to its tag = '' row (every grouping without tag sums those) and to one row per
 * tag it carries (groupings by tag sum those). No foreign key on agent or key: deleting an agent
 * or revoking a key erases nobody's spend. Existing terminal executions are summed in.
 */
export class AddAttributionUsage1763900081000 implements MigrationInterface {
  name = 'AddAttributionUsage1763900081000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE usage_attribution_daily (
        tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        day date NOT NULL,
        agent_id uuid,
        model text NOT NULL,
        api_key_id uuid,
        end_user text,
        tag text NOT NULL,
        executions bigint NOT NULL DEFAULT 0,
        succeeded bigint NOT NULL DEFAULT 0,
        failed bigint NOT NULL DEFAULT 0,
        cancelled bigint NOT NULL DEFAULT 0,
        prompt_tokens bigint NOT NULL DEFAULT 0,
        completion_tokens bigint NOT NULL DEFAULT 0,
        cost_usd numeric(20, 9) NOT NULL DEFAULT 0,
        total_duration_ms bigint NOT NULL DEFAULT 0,
        timed_executions bigint NOT NULL DEFAULT 0,
        CONSTRAINT usage_attribution_daily_key UNIQUE NULLS NOT DISTINCT
          (tenant_id, day, agent_id, model, api_key_id, end_user, tag)
      )`);
    await db.query(`ALTER TABLE usage_attribution_daily ENABLE ROW LEVEL SECURITY`);
    await db.query(`ALTER TABLE usage_attribution_daily FORCE ROW LEVEL SECURITY`);
    await db.query(`
      CREATE POLICY tenant_isolation ON usage_attribution_daily
        USING (tenant_id = agentq_current_tenant())
        WITH CHECK (tenant_id = agentq_current_tenant())`);
    await db.query(`
      INSERT INTO usage_attribution_daily (tenant_id, day, agent_id, model, api_key_id, end_user,
        tag, executions, succeeded, failed, cancelled, prompt_tokens, completion_tokens, cost_usd,
        total_duration_ms, timed_executions)
      SELECT e.tenant_id, (e.completed_at AT TIME ZONE 'UTC')::date, e.agent_id,
             COALESCE(e.model, ''), e.api_key_id, e.end_user, x.tag, count(*),
             count(*) FILTER (WHERE e.status = 'succeeded'),
             count(*) FILTER (WHERE e.status = 'failed'),
             count(*) FILTER (WHERE e.status = 'cancelled'),
             sum(e.prompt_tokens), sum(e.completion_tokens), sum(e.cost_usd),
             COALESCE(sum(e.duration_ms), 0), count(e.duration_ms)
        FROM agent_executions e
        CROSS JOIN LATERAL unnest(array_prepend('', COALESCE(e.tags, '{}'))) AS x(tag)
       WHERE e.status IN ('succeeded', 'failed', 'cancelled')
       GROUP BY 1, 2, 3, 4, 5, 6, 7`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE usage_attribution_daily`);
  }
}
