import { FakeProviderRequest, findStepUsageDrift } from '@agentq/testing';
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
});
