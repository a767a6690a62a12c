import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Fewer index entries per execution. None of the lifecycle updates (claim, terminal transition)
 * can be HOT: `status` changes in both and stays indexed (the reconciler's partial index on
 * unfinished rows needs it), so every update writes an entry into every index whose predicate
 * the new row version satisfies. (tenant_id, status, created_at, id) took one on the insert,
 * the claim and the terminal transition; it goes. The API's list with a status filter is then
 * served by:
 * - queued / running: agent_executions_unfinished_idx (the backlog only), then sorted;
 * - succeeded: agent_executions_tenant_created_idx, the status checked on the heap (dense);
 * - failed / cancelled: the partial index below, which succeeded executions never enter.
 * See docs/benchmarks.md, "PostgreSQL write layout".
 */
export class LeanExecutionIndexes1763900004000 implements MigrationInterface {
  name = 'LeanExecutionIndexes1763900004000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`DROP INDEX agent_executions_tenant_status_created_idx`);
    await db.query(`
      CREATE INDEX agent_executions_tenant_unsuccessful_created_idx
        ON agent_executions (tenant_id, created_at DESC, id DESC)
        WHERE status IN ('failed', 'cancelled')`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP INDEX agent_executions_tenant_unsuccessful_created_idx`);
    await db.query(
      `CREATE INDEX agent_executions_tenant_status_created_idx ON agent_executions (tenant_id, status, created_at DESC, id DESC)`,
    );
  }
}
