import { createDataSource } from '@agentq/database';
import { createTestDatabase, findAccountingDrift, TestDatabase } from '@agentq/testing';
import { DataSource } from 'typeorm';
import { recordTerminalOutcomes } from './record-terminal-outcomes';
import { TerminalOutcome } from './terminal-outcome';

const tenantOf = new Map<string, string>();

function outcome(
  executionId: string,
  status: TerminalOutcome['status'],
  tokens: number,
): TerminalOutcome {
  return {
    executionId,
    tenantId: tenantOf.get(executionId)!,
    status,
    output: status === 'succeeded' ? { text: 'ok', finishReason: 'stop', model: 'm' } : null,
    error: status === 'failed' ? { code: 'x', message: 'x' } : null,
    model: 'm',
    promptTokens: tokens,
    completionTokens: tokens * 2,
    costUsd: (tokens * 0.000001234).toFixed(9),
    durationMs: tokens,
  };
}

describe('recordTerminalOutcomes', () => {
  let database: TestDatabase;
  let dataSource: DataSource;
  // As the API and worker connect: row-level security applies, tenants set per group.
  let app: DataSource;
  let executionIds: string[];

  beforeAll(async () => {
    database = await createTestDatabase();
    dataSource = createDataSource({ url: database.url, poolSize: 2 });
    app = createDataSource({ url: database.url, poolSize: 8, role: 'agentq_app' });
    await Promise.all([dataSource.initialize(), app.initialize()]);
    const perTenant: string[][] = [];
    for (const name of ['t1', 't2']) {
      const [{ id: tenantId }] = await dataSource.query(
        `INSERT INTO tenants (name) VALUES ($1) RETURNING id`,
        [name],
      );
      const [{ id: providerId }] = await dataSource.query(
        `INSERT INTO llm_providers (tenant_id, name, type) VALUES ($1, 'echo', 'echo') RETURNING id`,
        [tenantId],
      );
      const agents: { id: string }[] = await dataSource.query(
        `INSERT INTO agents (tenant_id, provider_id, name, role, llm_config)
         SELECT $1, $2, 'agent ' || n, 'r', '{"model":"m"}' FROM generate_series(1, 3) n RETURNING id`,
        [tenantId, providerId],
      );
      const rows: { id: string }[] = await dataSource.query(
        `INSERT INTO agent_executions (tenant_id, agent_id, input)
         SELECT $1, ($2::uuid[])[1 + n % 3], '{"message":"hi"}' FROM generate_series(1, 150) n RETURNING id`,
        [tenantId, agents.map((a) => a.id)],
      );
      for (const row of rows) tenantOf.set(row.id, tenantId);
      perTenant.push(rows.map((row) => row.id));
    }
    // Interleaved: every batch below mixes both tenants, as a worker's group commit does.
    executionIds = perTenant[0].flatMap((id, i) => [id, perTenant[1][i]]);
  });

  afterAll(async () => {
    await Promise.all([dataSource.destroy(), app.destroy()]);
    await database.drop();
  });

  it('lets each execution end once when several writers race, and the rollups add up', async () => {
    const statuses: TerminalOutcome['status'][] = ['succeeded', 'failed', 'cancelled'];
    // Four writers deliver overlapping batches, each with different outcomes for the same ids.
    const writers = [0, 1, 2, 3].map(async (writer) => {
      let won = 0;
      for (let start = writer * 10; start < executionIds.length; start += 40) {
        const batch = executionIds
          .slice(start, start + 60)
          .map((id, i) => outcome(id, statuses[(i + writer) % 3], writer + 1));
        won += (await recordTerminalOutcomes(app.manager, batch)).length;
      }
      return won;
    });
    const totalWon = (await Promise.all(writers)).reduce((a, b) => a + b, 0);

    const [{ terminal }] = await dataSource.query(
      `SELECT count(*)::int AS terminal FROM agent_executions WHERE status <> 'queued'`,
    );
    expect(totalWon).toBe(terminal);
    expect(await findAccountingDrift(dataSource)).toEqual({
      lifetime: [],
      daily: [],
      attribution: [],
    });
  });

  it('ignores an outcome for an execution that already ended', async () => {
    const [id] = executionIds;
    const before = await dataSource.query(`SELECT * FROM agent_usage_stats ORDER BY agent_id`);
    expect(await recordTerminalOutcomes(app.manager, [outcome(id, 'succeeded', 99)])).toEqual([]);
    expect(await dataSource.query(`SELECT * FROM agent_usage_stats ORDER BY agent_id`)).toEqual(
      before,
    );
  });
});
