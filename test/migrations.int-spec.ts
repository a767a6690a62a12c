import { createDataSource } from '@agentq/database';
import { createEmptyTestDatabase, TestDatabase } from '@agentq/testing';
import { DataSource } from 'typeorm';
import { MIGRATIONS } from '../migrations';

const EXPECTED_TABLES = [
  'agent_executions',
  'agent_memories',
  'agent_messages',
  'agent_schedules',
  'agent_usage_daily',
  'agent_usage_stats',
  'agents',
  'api_keys',
  'audit_log',
  'budget_counters',
  'budget_reservations',
  'console_sessions',
  'execution_debounces',
  'execution_labels',
  'execution_steps',
  'execution_waitpoints',
  'knowledge_chunks',
  'knowledge_embedding_usage',
  'knowledge_entries',
  'knowledge_settings',
  'knowledge_versions',
  'llm_providers',
  'plan_tasks',
  'plans',
  'projects',
  'schedule_firings',
  'session_events',
  'sessions',
  'tenants',
  'tool_signing_secrets',
  'usage_attribution_daily',
  'webhook_deliveries',
  'webhook_delivery_attempts',
  'webhooks',
  'workers',
];

async function tables(dataSource: DataSource): Promise<string[]> {
  const rows: { table_name: string }[] = await dataSource.query(
    `SELECT table_name FROM information_schema.tables
      WHERE table_schema = 'public' AND table_name <> 'typeorm_migrations' ORDER BY table_name`,
  );
  return rows.map((row) => row.table_name);
}

describe('migrations', () => {
  let database: TestDatabase;
  let dataSource: DataSource;

  beforeAll(async () => {
    database = await createEmptyTestDatabase();
    dataSource = createDataSource({ url: database.url, poolSize: 2 });
    await dataSource.initialize();
  });

  afterAll(async () => {
    await dataSource.destroy();
    await database.drop();
  });

  it('apply up, all the way down, and up again', async () => {
    await dataSource.runMigrations({ transaction: 'each' });
    expect(await tables(dataSource)).toEqual(EXPECTED_TABLES);

    for (let i = 0; i < MIGRATIONS.length; i += 1) {
      await dataSource.undoLastMigration({ transaction: 'each' });
    }
    expect(await tables(dataSource)).toEqual([]);

    await dataSource.runMigrations({ transaction: 'each' });
    expect(await tables(dataSource)).toEqual(EXPECTED_TABLES);
  });

  it('give every entity exactly the columns its table has', async () => {
    const rows: { table_name: string; column_name: string }[] = await dataSource.query(
      `SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'public'`,
    );
    for (const entity of dataSource.entityMetadatas) {
      const inDatabase = rows
        .filter((row) => row.table_name === entity.tableName)
        .map((row) => row.column_name)
        .sort();
      const inEntity = entity.columns.map((column) => column.databaseName).sort();
      expect({ table: entity.tableName, columns: inEntity }).toEqual({
        table: entity.tableName,
        columns: inDatabase,
      });
    }
  });

  it('index every unfinished status, so the terminal UPDATE never scans the whole table', async () => {
    // Its `status IN ('queued', 'running', 'requires_action')` can use a partial index only if
    // the index's predicate covers all three (its cached generic plan scanned the table else).
    const rows: { indexname: string; indexdef: string }[] = await dataSource.query(
      `SELECT indexname, indexdef FROM pg_indexes
        WHERE tablename = 'agent_executions' AND indexdef LIKE '%''running''%'`,
    );
    expect(rows.map((row) => row.indexname).sort()).toEqual([
      'agent_executions_tenant_unfinished_created_idx',
      'agent_executions_unfinished_idx',
    ]);
    for (const row of rows) expect(row.indexdef).toContain(`'requires_action'`);
  });

  it('enforce one default provider per tenant and unique names', async () => {
    const [{ id: tenantId }] = await dataSource.query(
      `INSERT INTO tenants (name) VALUES ('t') RETURNING id`,
    );
    await dataSource.query(
      `INSERT INTO llm_providers (tenant_id, name, type, is_default) VALUES ($1, 'a', 'echo', true)`,
      [tenantId],
    );
    await expect(
      dataSource.query(
        `INSERT INTO llm_providers (tenant_id, name, type, is_default) VALUES ($1, 'b', 'echo', true)`,
        [tenantId],
      ),
    ).rejects.toThrow(/llm_providers_one_default_per_tenant/);
    await expect(
      dataSource.query(
        `INSERT INTO llm_providers (tenant_id, name, type) VALUES ($1, 'a', 'echo')`,
        [tenantId],
      ),
    ).rejects.toThrow(/llm_providers_tenant_name_key/);
    await expect(
      dataSource.query(
        `INSERT INTO llm_providers (tenant_id, name, type) VALUES ($1, 'c', 'gpt')`,
        [tenantId],
      ),
    ).rejects.toThrow(/check constraint/);
  });
});
