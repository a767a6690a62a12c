import { MigrationInterface, QueryRunner } from 'typeorm';

/** The tenant-owned tables below, each with the same tenant_isolation policy as the others. */
const TABLES = [
  'agent_schedules',
  'schedule_firings',
  'webhooks',
  'webhook_deliveries',
  'webhook_delivery_attempts',
] as const;

/**
 * Schedules (PostgreSQL is their truth: next_run_at says when each fires next, schedule_firings
 * holds one row per fire time, fired or skipped) and webhooks with their outbox
 * (webhook_deliveries, written in the transaction of the terminal outcome) and attempts.
 */
export class CreateSchedulesAndWebhooks1763900010000 implements MigrationInterface {
  name = 'CreateSchedulesAndWebhooks1763900010000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE agent_schedules (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        agent_id uuid NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
        cron text NOT NULL,
        timezone text NOT NULL DEFAULT 'UTC',
        input jsonb NOT NULL,
        priority smallint NOT NULL DEFAULT 5 CHECK (priority BETWEEN 1 AND 10),
        max_attempts integer NOT NULL DEFAULT 3 CHECK (max_attempts BETWEEN 1 AND 20),
        overlap text NOT NULL DEFAULT 'skip' CHECK (overlap IN ('skip', 'queue')),
        enabled boolean NOT NULL DEFAULT true,
        start_at timestamptz,
        end_at timestamptz,
        next_run_at timestamptz,
        last_run_at timestamptz,
        last_execution_id uuid,
        fired_count integer NOT NULL DEFAULT 0,
        skipped_count integer NOT NULL DEFAULT 0,
        last_skipped_at timestamptz,
        last_skip_reason text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CHECK (end_at IS NULL OR start_at IS NULL OR end_at > start_at)
      )`);
    await db.query(`CREATE INDEX agent_schedules_due ON agent_schedules (next_run_at)
                      WHERE enabled AND next_run_at IS NOT NULL`);
    await db.query(
      `CREATE INDEX agent_schedules_tenant_created ON agent_schedules (tenant_id, created_at, id)`,
    );
    await db.query(`CREATE INDEX agent_schedules_agent ON agent_schedules (agent_id)`);

    await db.query(`
      CREATE TABLE schedule_firings (
        schedule_id uuid NOT NULL REFERENCES agent_schedules(id) ON DELETE CASCADE,
        fire_time timestamptz NOT NULL,
        tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        outcome text NOT NULL CHECK (outcome IN ('fired', 'skipped')),
        reason text,
        execution_id uuid,
        manual boolean NOT NULL DEFAULT false,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (schedule_id, fire_time)
      )`);

    await db.query(`
      CREATE TABLE webhooks (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        url text NOT NULL,
        events text[] NOT NULL,
        description text,
        secret_ciphertext text NOT NULL,
        previous_secret_ciphertext text,
        previous_secret_expires_at timestamptz,
        status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'failing', 'disabled')),
        failing_since timestamptz,
        disabled_at timestamptz,
        disabled_reason text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`CREATE INDEX webhooks_tenant ON webhooks (tenant_id, created_at, id)`);

    await db.query(`
      CREATE TABLE webhook_deliveries (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        webhook_id uuid NOT NULL REFERENCES webhooks(id) ON DELETE CASCADE,
        event_type text NOT NULL,
        resource_id uuid,
        payload jsonb,
        status text NOT NULL DEFAULT 'pending'
          CHECK (status IN ('pending', 'succeeded', 'failed')),
        attempts integer NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NOT NULL DEFAULT now(),
        retry_window_started_at timestamptz NOT NULL DEFAULT now(),
        last_status_code integer,
        last_error text,
        created_at timestamptz NOT NULL DEFAULT now(),
        completed_at timestamptz
      )`);
    await db.query(`CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at)
                      WHERE status = 'pending'`);
    await db.query(`CREATE INDEX webhook_deliveries_webhook_created
                      ON webhook_deliveries (webhook_id, created_at DESC, id DESC)`);

    await db.query(`
      CREATE TABLE webhook_delivery_attempts (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        delivery_id uuid NOT NULL REFERENCES webhook_deliveries(id) ON DELETE CASCADE,
        tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        attempt integer NOT NULL,
        status_code integer,
        latency_ms integer NOT NULL,
        error text,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(
      `CREATE INDEX webhook_delivery_attempts_delivery ON webhook_delivery_attempts (delivery_id, id)`,
    );

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
  }
}
