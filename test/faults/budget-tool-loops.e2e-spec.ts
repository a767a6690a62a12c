import { FakeProviderRequest, findStepUsageDrift, TEST_ADMIN_TOKEN } from '@agentq/testing';
import { startToolServer, ToolServer } from '../support/tool-server';
import { FaultFixture, startFaultFixture } from './support/fault-fixture';
import { FAST_RECOVERY_ENV, waitUntil } from './support/fault-stack';
import {
  collectFigures,
  countTerminal,
  expectLedgerExact,
  FULL_SCALE,
  reportFigures,
  waitForAllTerminal,
} from './support/ledger';

const EXECUTIONS = FULL_SCALE ? 200 : 50;
const TOOL_STEPS = 3;
// $100 per million prompt tokens: a tool-asking call (100 tokens) costs $0.01.
const PRICING = { 'budget-model': { inputPerMillion: '100', outputPerMillion: '0' } };
const BUDGET_NANO_USD = 250_000_000n;
// The costliest call the fake makes: the final answer's 120 prompt tokens.
const ONE_CALL_NANO_USD = 12_000_000n;
const USER_EXECUTIONS = FULL_SCALE ? 80 : 24;
const USER_BUDGET_NANO_USD = 50_000_000n;

// Tool outputs already in the conversation the model is sent (OpenAI role `tool`).
const toolResultsIn = (request: FakeProviderRequest) =>
  (Array.isArray(request.body.messages) ? request.body.messages : []).filter(
    (message: { role?: string }) => message?.role === 'tool',
  ).length;

const nano = (usd: string) => BigInt(usd.replace('.', ''));

describe('fault: concurrent tool loops against a small budget', () => {
  let fixture: FaultFixture;
  let tools: ToolServer;

  beforeAll(async () => {
    fixture = await startFaultFixture({ replyDelayMs: 50 });
    tools = await startToolServer();
    tools.answer(() => ({ body: '{"done":true}', delayMs: 100 }));
    for (let k = 0; k < TOOL_STEPS; k += 1) {
      fixture.fake.when((request) => toolResultsIn(request) === k, {
        kind: 'delay',
        ms: 150,
        then: {
          kind: 'tool-calls',
          calls: [{ name: 'work', arguments: { step: k } }],
          promptTokens: 100,
          completionTokens: 10,
        },
      });
    }
  }, 120_000);

  afterAll(async () => {
    await fixture?.teardown();
    await tools?.close();
  }, 60_000);

  it(`spend <= budget + one call, whatever the concurrency${FULL_SCALE ? ' and a kill -9' : ''}`, async () => {
    const { stack, dataSource } = fixture;
    const secret = await stack.http.post('/v1/tool-signing-secret/rotate', {}, stack.apiKey);
    tools.secret = secret.body.secret;
    const provider = await stack.http.post(
      '/v1/providers',
      {
        name: 'fake-priced',
        type: 'openai',
        apiKey: 'sk-fault-suite-0002',
        baseUrl: `${fixture.fake.url}/v1`,
        pricing: PRICING,
      },
      stack.apiKey,
    );
    const agent = await stack.http.post(
      '/v1/agents',
      {
        name: 'budgeted-tool-agent',
        role: 'Fault suite tool user',
        providerId: provider.body.id,
        llmConfig: { model: 'budget-model', maxTokens: 32 },
        budgetDailyUsd: '0.25',
        tools: [
          { type: 'http', name: 'work', parameters: { type: 'object' }, url: `${tools.url}/work` },
        ],
      },
      stack.apiKey,
    );
    expect(agent.status).toBe(201);
    const workerEnv = { ...FAST_RECOVERY_ENV, WORKER_CONCURRENCY: '50' };
    await stack.startWorker(workerEnv);
    if (FULL_SCALE) await stack.startWorker(workerEnv);

    const accepted = await stack.submit(EXECUTIONS, {
      tag: 'budget',
      agentId: agent.body.id,
      maxAttempts: 5,
    });
    const ids = accepted.map((execution) => execution.id);

    let kills = 0;
    if (FULL_SCALE) {
      // A worker killed with calls in flight: their reservations count in full when they expire.
      await waitUntil(async () => tools.calls.length >= 10, 'tool loops under way', 60_000);
      const [victim] = stack.liveWorkers();
      victim.signal('SIGKILL');
      await victim.exited;
      kills += 1;
    }
    await waitForAllTerminal(dataSource, ids, FULL_SCALE ? 240_000 : 120_000);
    expect(await countTerminal(dataSource, ids)).toBe(ids.length);

    const rows: { status: string; code: string | null; cost: string }[] = await dataSource.query(
      `SELECT status, error->>'code' AS code, cost_usd::text AS cost
         FROM agent_executions WHERE id = ANY($1::uuid[])`,
      [ids],
    );
    const spent = rows.reduce((sum, row) => sum + nano(row.cost), 0n);
    const figures = await collectFigures(dataSource, fixture.fake, accepted, () => TOOL_STEPS + 1);
    const stepDrift = await findStepUsageDrift(dataSource);
    reportFigures(`${EXECUTIONS} tool loops, 50 per worker, against a $0.25 budget`, figures, {
      kills,
      spentUsd: Number(spent) / 1e9,
      budgetUsd: Number(BUDGET_NANO_USD) / 1e9,
      succeeded: rows.filter((row) => row.status === 'succeeded').length,
      budgetExceeded: rows.filter((row) => row.code === 'budget_exceeded').length,
    });
    expectLedgerExact(figures);
    expect(stepDrift).toEqual([]);
    expect(spent).toBeLessThanOrEqual(BUDGET_NANO_USD + ONE_CALL_NANO_USD);
    expect(rows.filter((row) => row.code === 'budget_exceeded').length).toBeGreaterThan(0);
  }, 600_000);

  it('each end user spends <= their budget + one call, a worker killed with -9 included', async () => {
    const { stack, dataSource } = fixture;
    const [{ id: tenantId }] = await dataSource.query(
      `SELECT tenant_id AS id FROM agents WHERE name = 'budgeted-tool-agent'`,
    );
    // Each end user may spend $0.05 a day: about one tool loop (four calls of $0.01, then the
    // answer), whatever the agent's and the tenant's own budgets.
    const patched = await stack.http.patch(
      `/v1/admin/tenants/${tenantId}`,
      { endUserBudgetDailyUsd: '0.05' },
      TEST_ADMIN_TOKEN,
    );
    expect(patched.status).toBe(200);
    const provider = await stack.http.get('/v1/providers', stack.apiKey);
    const priced = provider.body.data.find((p: { name: string }) => p.name === 'fake-priced');
    const agent = await stack.http.post(
      '/v1/agents',
      {
        name: 'per-user-tool-agent',
        role: 'Fault suite tool user',
        providerId: priced.id,
        llmConfig: { model: 'budget-model', maxTokens: 32 },
        tools: [
          { type: 'http', name: 'work', parameters: { type: 'object' }, url: `${tools.url}/work` },
        ],
      },
      stack.apiKey,
    );
    expect(agent.status).toBe(201);
    if (stack.liveWorkers().length === 0) {
      await stack.startWorker({ ...FAST_RECOVERY_ENV, WORKER_CONCURRENCY: '50' });
    }
    await stack.startWorker({ ...FAST_RECOVERY_ENV, WORKER_CONCURRENCY: '50' });

    const users = ['user-a', 'user-b', 'user-c', 'user-d'];
    const callsBefore = tools.calls.length;
    const accepted = await stack.submit(USER_EXECUTIONS, {
      tag: 'per-user',
      agentId: agent.body.id,
      maxAttempts: 5,
      users,
    });
    const ids = accepted.map((execution) => execution.id);
    // A worker killed with calls in flight: their reservations count in full when they expire.
    await waitUntil(
      async () => tools.calls.length >= callsBefore + 4,
      'tool loops under way',
      60_000,
    );
    const [victim] = stack.liveWorkers();
    victim.signal('SIGKILL');
    await victim.exited;
    await waitForAllTerminal(dataSource, ids, 240_000);

    const rows: { user: string; code: string | null; cost: string }[] = await dataSource.query(
      `SELECT end_user AS user, error->>'code' AS code, cost_usd::text AS cost
         FROM agent_executions WHERE id = ANY($1::uuid[])`,
      [ids],
    );
    const spentBy = new Map<string, bigint>();
    for (const row of rows) spentBy.set(row.user, (spentBy.get(row.user) ?? 0n) + nano(row.cost));
    const figures = await collectFigures(dataSource, fixture.fake, accepted, () => TOOL_STEPS + 1);
    reportFigures(
      `${USER_EXECUTIONS} tool loops of 4 end users, $0.05 each, one kill -9`,
      figures,
      {
        kills: 1,
        spentUsdByUser: [...spentBy].map(([u, n]) => `${u}=${Number(n) / 1e9}`).join(' '),
        budgetExceeded: rows.filter((row) => row.code === 'budget_exceeded').length,
      },
    );
    expectLedgerExact(figures);
    for (const user of users) {
      expect([user, spentBy.get(user)! <= USER_BUDGET_NANO_USD + ONE_CALL_NANO_USD]).toEqual([
        user,
        true,
      ]);
    }
    expect(rows.filter((row) => row.code === 'budget_exceeded').length).toBeGreaterThan(0);
    // Spent budgets refuse new submissions at the API.
    const refused = await stack.http.post(
      `/v1/agents/${agent.body.id}/executions`,
      { input: { message: 'one more' }, user: 'user-a' },
      stack.apiKey,
    );
    expect([refused.status, refused.body.error?.code]).toEqual([402, 'budget_exceeded']);
  }, 600_000);
});
