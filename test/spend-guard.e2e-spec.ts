import { FakeProviderServer } from '@agentq/testing';
import { setUpAgent, TERMINAL, waitFor, waitForTerminal } from './support/scenario';
import { startTestStack, TestStack } from './support/test-stack';

// $1 per prompt token makes spend easy to read: each reply below costs exactly $1.
const PRICING = {
  'priced-model': { inputPerMillion: '1000000', outputPerMillion: '0' },
  'cent-model': { inputPerMillion: '100', outputPerMillion: '0' },
};

describe('spend guard: budgets are checked before every attempt', () => {
  let stack: TestStack;
  let fake: FakeProviderServer;

  beforeAll(async () => {
    fake = new FakeProviderServer();
    await fake.start();
    fake.setDefault({ kind: 'reply', text: 'ok', promptTokens: 1, completionTokens: 0 });
    stack = await startTestStack({ workers: 1 });
  });

  afterAll(async () => {
    await stack.stop();
    await fake.stop();
  });

  const agentWith = (agent: Record<string, unknown>) =>
    setUpAgent(stack, {
      provider: {
        name: 'openai',
        type: 'openai',
        apiKey: 'sk-budget-test-0001',
        baseUrl: `${fake.url}/v1`,
        pricing: PRICING,
      },
      agent: { llmConfig: { model: 'priced-model' }, ...agent },
    });

  const run = async (apiKey: string, agentId: string, message: string, extra = {}) => {
    const answer = await stack.http.post(
      `/v1/agents/${agentId}/executions`,
      { input: { message }, ...extra },
      apiKey,
    );
    return waitForTerminal(stack, apiKey, answer.body.id);
  };

  it('stops an agent at its daily budget without calling the provider', async () => {
    const { tenant, agentId } = await agentWith({ budgetDailyUsd: '2.5' });
    for (const message of ['one', 'two', 'three']) {
      expect(await run(tenant.apiKey, agentId, `agent-budget ${message}`)).toMatchObject({
        status: 'succeeded',
        usage: { costUsd: '1.000000000' },
      });
    }
    const requestsBefore = fake.requests.length;
    const refused = await run(tenant.apiKey, agentId, 'agent-budget four');
    expect(refused).toMatchObject({ status: 'failed', error: { code: 'budget_exceeded' } });
    expect(refused.error.message).toContain("agent's daily budget of 2.500000000 USD");
    expect(fake.requests.length).toBe(requestsBefore);
    const stats = await stack.http.get(`/v1/agents/${agentId}/stats`, tenant.apiKey);
    expect(stats.body).toMatchObject({ totalCostUsd: '3.000000000', failedExecutions: 1 });
  });

  it("stops every agent of a tenant at the tenant's monthly budget (set by the admin)", async () => {
    const { tenant, agentId } = await agentWith({});
    const patched = await stack.http.patch(
      `/v1/admin/tenants/${tenant.id}`,
      { budgetMonthlyUsd: '1' },
      stack.adminToken,
    );
    expect(patched.body).toMatchObject({ budgetMonthlyUsd: '1.000000000' });
    expect((await run(tenant.apiKey, agentId, 'tenant-budget one')).status).toBe('succeeded');
    const refused = await run(tenant.apiKey, agentId, 'tenant-budget two');
    expect(refused).toMatchObject({ status: 'failed', error: { code: 'budget_exceeded' } });
    expect(refused.error.message).toContain("tenant's monthly budget");
  });

  it("keeps a deleted agent's spend in the tenant's budget and in /v1/usage", async () => {
    const { tenant, agentId, providerId } = await agentWith({});
    expect((await run(tenant.apiKey, agentId, 'deleted-agent one')).status).toBe('succeeded');
    expect((await stack.http.delete(`/v1/agents/${agentId}`, tenant.apiKey)).status).toBe(204);

    const usage = await stack.http.get('/v1/usage', tenant.apiKey);
    expect(usage.body.data).toEqual([
      expect.objectContaining({ agentId: null, executions: 1, costUsd: '1.000000000' }),
    ]);
    await stack.http.patch(
      `/v1/admin/tenants/${tenant.id}`,
      { budgetDailyUsd: '1' },
      stack.adminToken,
    );
    const other = await stack.http.post(
      '/v1/agents',
      { name: 'other', role: 'r', providerId, llmConfig: { model: 'priced-model' } },
      tenant.apiKey,
    );
    const refused = await run(tenant.apiKey, other.body.id, 'deleted-agent two');
    expect(refused).toMatchObject({ status: 'failed', error: { code: 'budget_exceeded' } });
    expect(refused.error.message).toContain("tenant's daily budget");
  });

  it('counts retries: a retry that finds the budget spent fails instead of calling again', async () => {
    const { tenant, agentId } = await agentWith({ budgetDailyUsd: '0.5' });
    fake.when(
      (r) => r.prompt.includes('retry-after-spend'),
      { kind: 'error', status: 503 },
      { times: 1 },
    );
    const flaky = await stack.http.post(
      `/v1/agents/${agentId}/executions`,
      { input: { message: 'retry-after-spend' }, maxAttempts: 3 },
      tenant.apiKey,
    );
    // Its first attempt has had its 503 before the budget is spent (or it would find it spent
    // and never call); while it waits out its backoff, another execution spends the budget.
    await waitFor(
      async () => fake.requests.some((r) => r.prompt.includes('retry-after-spend')),
      'the first attempt of the flaky execution',
    );
    expect((await run(tenant.apiKey, agentId, 'spends the budget')).status).toBe('succeeded');
    const retried = await waitForTerminal(stack, tenant.apiKey, flaky.body.id);
    expect(retried).toMatchObject({
      status: 'failed',
      attempts: 2,
      error: { code: 'budget_exceeded' },
    });
    expect(fake.requests.filter((r) => r.prompt.includes('retry-after-spend'))).toHaveLength(1);
  });

  it('holds a daily budget against 100 executions at once: spend <= budget + one call', async () => {
    // Each call costs $0.01 here (100 prompt tokens); the budget pays for ten of them.
    const { tenant, agentId } = await agentWith({
      llmConfig: { model: 'cent-model', maxTokens: 16 },
      budgetDailyUsd: '0.1',
    });
    fake.when((r) => r.prompt.includes('at-once'), {
      kind: 'delay',
      ms: 300,
      then: { kind: 'reply', text: 'ok', promptTokens: 100, completionTokens: 0 },
    });
    const worker = await stack.startWorker({ WORKER_CONCURRENCY: '50' });
    try {
      const answer = await stack.http.post(
        `/v1/agents/${agentId}/executions/batch`,
        {
          executions: Array.from({ length: 100 }, (_, i) => ({
            input: { message: `at-once ${i}` },
          })),
        },
        tenant.apiKey,
      );
      expect(answer.status).toBe(202);
      const ended = await waitFor(
        async () => {
          const rows: { status: string; code: string | null; cost: string }[] =
            await stack.db.query(
              `SELECT status, error->>'code' AS code, cost_usd::text AS cost
               FROM agent_executions WHERE agent_id = $1`,
              [agentId],
            );
          return rows.every((row) => TERMINAL.includes(row.status)) && rows;
        },
        'every execution to end',
        60_000,
      );
      expect(ended).toHaveLength(100);
      const spent = ended.reduce((sum, row) => sum + BigInt(row.cost.replace('.', '')), 0n);
      // In billionths of a dollar: at most the budget ($0.10) and one call ($0.01) more.
      expect(spent).toBeLessThanOrEqual(110_000_000n);
      expect(ended.filter((row) => row.status === 'succeeded').length).toBeGreaterThanOrEqual(10);
      expect(ended.filter((row) => row.code === 'budget_exceeded').length).toBeGreaterThan(0);
      const stats = await stack.http.get(`/v1/agents/${agentId}/stats`, tenant.apiKey);
      expect(BigInt(stats.body.totalCostUsd.replace('.', ''))).toBe(spent);
    } finally {
      await stack.stopWorker(worker);
    }
  }, 90_000);

  it('refuses a budget that is not a decimal string', async () => {
    const { tenant, agentId } = await agentWith({});
    const answer = await stack.http.patch(
      `/v1/agents/${agentId}`,
      { budgetDailyUsd: 12.5 },
      tenant.apiKey,
    );
    expect(answer.status).toBe(400);
    expect(answer.body.error.details[0].field).toBe('budgetDailyUsd');
  });
});
