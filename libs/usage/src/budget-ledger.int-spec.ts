import { randomUUID } from 'node:crypto';
import { createDataSource } from '@agentq/database';
import { createTestDatabase, TestDatabase } from '@agentq/testing';
import { DataSource } from 'typeorm';
import { BudgetLedger, BudgetLimit } from './budget-ledger';
import { formatNanoUsd, parseNanoUsd } from './nano-usd';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// Reservations against real PostgreSQL, as the worker's role makes them (row-level security).
describe('BudgetLedger', () => {
  let database: TestDatabase;
  let owner: DataSource;
  let app: DataSource;
  let ledger: BudgetLedger;

  beforeAll(async () => {
    database = await createTestDatabase();
    owner = createDataSource({ url: database.url, poolSize: 2 });
    app = createDataSource({ url: database.url, poolSize: 20, role: 'agentq_app' });
    await Promise.all([owner.initialize(), app.initialize()]);
    ledger = new BudgetLedger(app);
  });

  afterAll(async () => {
    await Promise.all([owner.destroy(), app.destroy()]);
    await database.drop();
  });

  async function tenantWithAgents(count: number) {
    const [{ id: tenantId }] = await owner.query(
      `INSERT INTO tenants (name) VALUES ('t') RETURNING id`,
    );
    const [{ id: providerId }] = await owner.query(
      `INSERT INTO llm_providers (tenant_id, name, type) VALUES ($1, 'echo', 'echo') RETURNING id`,
      [tenantId],
    );
    const agentIds: string[] = [];
    for (let i = 0; i < count; i += 1) {
      const [{ id }] = await owner.query(
        `INSERT INTO agents (tenant_id, provider_id, name, role, llm_config)
         VALUES ($1, $2, $3, 'r', '{"model":"m"}') RETURNING id`,
        [tenantId, providerId, `a${i}`],
      );
      agentIds.push(id);
    }
    return { tenantId, agentIds };
  }

  const counter = async (scopeId: string, period = 'day') =>
    (
      await owner.query(
        `SELECT spent_usd::text AS spent, reserved_usd::text AS reserved
           FROM budget_counters WHERE scope_id = $1 AND period = $2`,
        [scopeId, period],
      )
    )[0];

  // Calls that each reserve `ceiling` and cost `cost`, `concurrency` at a time, until refused.
  async function spendUntilRefused(options: {
    tenantId: string;
    limitsFor: (worker: number) => BudgetLimit[];
    concurrency: number;
    ceiling: string;
    cost: string;
  }) {
    let calls = 0;
    let refusedSpent = 0;
    await Promise.all(
      Array.from({ length: options.concurrency }, async (_, worker) => {
        for (;;) {
          const result = await ledger.reserve({
            tenantId: options.tenantId,
            executionId: randomUUID(),
            limits: options.limitsFor(worker),
            amountUsd: options.ceiling,
            holdMs: 60_000,
          });
          if (result.kind === 'refused') {
            if (result.refusal.spent) {
              refusedSpent += 1;
              return;
            }
            await sleep(5);
            continue;
          }
          calls += 1;
          await sleep(Math.random() * 10);
          await ledger.settle(options.tenantId, result.reservationId, options.cost);
        }
      }),
    );
    return { calls, refusedSpent };
  }

  it('holds a limit against 50 callers at once: spent <= limit + one call', async () => {
    const { tenantId, agentIds } = await tenantWithAgents(1);
    const limit: BudgetLimit = {
      scope: 'agent',
      scopeId: agentIds[0],
      period: 'day',
      limitUsd: '0.100000000',
    };
    const { calls, refusedSpent } = await spendUntilRefused({
      tenantId,
      limitsFor: () => [limit],
      concurrency: 50,
      ceiling: '0.030000000',
      cost: '0.007000000',
    });
    const { spent, reserved } = await counter(agentIds[0]);
    expect(reserved).toBe('0.000000000');
    expect(spent).toBe(formatNanoUsd(BigInt(calls) * 7_000_000n));
    expect(parseNanoUsd(spent)!).toBeGreaterThanOrEqual(100_000_000n);
    expect(parseNanoUsd(spent)!).toBeLessThan(107_000_000n);
    expect(refusedSpent).toBe(50);
  });

  it("holds an agent's and its tenant's limits together, without deadlocks between agents", async () => {
    const { tenantId, agentIds } = await tenantWithAgents(5);
    const { calls } = await spendUntilRefused({
      tenantId,
      limitsFor: (worker) => [
        { scope: 'tenant', scopeId: tenantId, period: 'month', limitUsd: '0.2' },
        { scope: 'agent', scopeId: agentIds[worker % 5], period: 'day', limitUsd: '0.05' },
        { scope: 'tenant', scopeId: tenantId, period: 'day', limitUsd: '1' },
      ],
      concurrency: 20,
      ceiling: '0.010000000',
      cost: '0.004000000',
    });
    const tenantMonth = parseNanoUsd((await counter(tenantId, 'month')).spent)!;
    expect(tenantMonth).toBe(BigInt(calls) * 4_000_000n);
    expect(tenantMonth).toBeLessThan(200_000_000n + 4_000_000n);
    for (const agentId of agentIds) {
      expect(parseNanoUsd((await counter(agentId)).spent)!).toBeLessThan(54_000_000n);
    }
  });

  it('starts a counter from the rollups of its period', async () => {
    const { tenantId, agentIds } = await tenantWithAgents(1);
    await owner.query(
      `INSERT INTO agent_usage_daily (agent_id, day, model, tenant_id, executions, cost_usd)
       VALUES ($1, (now() AT TIME ZONE 'UTC')::date, 'm', $2, 3, 0.75),
              ($1, (now() AT TIME ZONE 'UTC')::date - 40, 'm', $2, 1, 9)`,
      [agentIds[0], tenantId],
    );
    const result = await ledger.reserve({
      tenantId,
      executionId: randomUUID(),
      limits: [{ scope: 'agent', scopeId: agentIds[0], period: 'day', limitUsd: '0.5' }],
      amountUsd: '0.01',
      holdMs: 60_000,
    });
    expect(result).toMatchObject({
      kind: 'refused',
      refusal: { spent: true, spentUsd: '0.750000000', reservedUsd: '0.000000000' },
    });
  });

  it("retires a tenant's counters of periods that are over when a new period's counter starts", async () => {
    const { tenantId, agentIds } = await tenantWithAgents(1);
    await owner.query(
      `INSERT INTO budget_counters (scope_id, period, period_start, tenant_id, spent_usd)
       VALUES ($1, 'day', (now() AT TIME ZONE 'UTC')::date - 1, $2, 5),
              ($1, 'month', date_trunc('month', (now() AT TIME ZONE 'UTC')::date), $2, 5)`,
      [agentIds[0], tenantId],
    );
    const result = await ledger.reserve({
      tenantId,
      executionId: randomUUID(),
      limits: [{ scope: 'agent', scopeId: agentIds[0], period: 'day', limitUsd: '1' }],
      amountUsd: '0.01',
      holdMs: 60_000,
    });
    expect(result.kind).toBe('reserved');
    const rows: { period: string; spent: string }[] = await owner.query(
      `SELECT period, spent_usd::text AS spent FROM budget_counters
        WHERE scope_id = $1 ORDER BY period`,
      [agentIds[0]],
    );
    expect(rows).toEqual([
      { period: 'day', spent: '0.000000000' },
      { period: 'month', spent: '5.000000000' },
    ]);
  });

  it('counts a reservation never settled (its worker died) in full once it expires', async () => {
    const { tenantId, agentIds } = await tenantWithAgents(1);
    const limits: BudgetLimit[] = [
      { scope: 'agent', scopeId: agentIds[0], period: 'day', limitUsd: '1' },
    ];
    const reserve = (holdMs: number) =>
      ledger.reserve({ tenantId, executionId: randomUUID(), limits, amountUsd: '0.3', holdMs });
    expect((await reserve(0)).kind).toBe('reserved');
    await sleep(20);
    expect((await reserve(60_000)).kind).toBe('reserved');
    expect(await counter(agentIds[0])).toEqual({
      spent: '0.300000000',
      reserved: '0.300000000',
    });
  });
});
