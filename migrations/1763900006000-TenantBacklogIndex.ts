import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A tenant's queued and running executions, newest first, without reading the whole
 * cross-tenant backlog (agent_executions_unfinished_idx leads with status, for the reconciler).
 * Partial like it: an execution enters it on insert and on its claim, never once it has ended.
 */
export class TenantBacklogIndex1763900006000 implements MigrationInterface {
  name = 'TenantBacklogIndex1763900006000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE INDEX agent_executions_tenant_unfinished_created_idx
        ON agent_executions (tenant_id, status, created_at DESC, id DESC)
        WHERE status IN ('queued', 'running')`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP INDEX agent_executions_tenant_unfinished_created_idx`);
  }
}
