import { FakeProviderRequest, findStepUsageDrift } from '@agentq/testing';
import { startToolServer, ToolServer } from '../support/tool-server';
import { FaultFixture, startFaultFixture } from './support/fault-fixture';
import { ChildHandle } from './support/processes';
import { waitUntil } from './support/fault-stack';
import {
  collectFigures,
  countTerminal,
  expectLedgerExact,
  FULL_SCALE,
  reportFigures,
  waitForAllTerminal,
} from './support/ledger';

const EXECUTIONS = FULL_SCALE ? 100 : 12;
const PRIMARY = 'gpt-4o-mini';
const BACKUP = 'claude-haiku-4-5';

// Anthropic tool results ride in user turns as tool_result blocks.
const hasToolResult = (request: FakeProviderRequest) =>
  JSON.stringify(request.body.messages ?? []).includes('"tool_result"');

/**
 * Issue 29 under kill -9: every execution falls back (its primary provider answers 503), pauses
 * for a person's approval of a guarded tool call, is approved (half by token link, half by API
 * key), resumes, and is then rerun from step 2, while workers are killed at each stage.
 */
describe('fault: kill -9 during fallbacks, approval waits and reruns', () => {
  let fixture: FaultFixture;
  let tools: ToolServer;

  beforeAll(async () => {
    fixture = await startFaultFixture({ replyDelayMs: 50 });
    tools = await startToolServer();
    tools.answer(() => ({ body: '{"paid":true}', delayMs: 200 }));
    const { fake } = fixture;
    fake
      .when((request) => request.model === PRIMARY, { kind: 'error', status: 503 })
      .when((request) => request.model === BACKUP && !hasToolResult(request), {
        kind: 'delay',
        ms: 150,
        then: {
          kind: 'tool-calls',
          calls: [{ name: 'transfer', arguments: { amount: 10 } }],
          promptTokens: 100,
          completionTokens: 10,
        },
      })
      .when((request) => request.model === BACKUP, {
        kind: 'delay',
        ms: 150,
        then: { kind: 'reply', text: 'paid', promptTokens: 200, completionTokens: 20 },
      });
  }, 120_000);

  afterAll(async () => {
    await fixture?.teardown();
    await tools?.close();
  }, 60_000);

  it('nothing lost or doubled; each approved call recorded once; usage = charged steps', async () => {
    const { stack, dataSource } = fixture;
    const http = stack.http;
    const key = stack.apiKey;
    tools.secret = (await http.post('/v1/tool-signing-secret/rotate', {}, key)).body.secret;
    const providers = (await http.get('/v1/providers', key)).body.data;
    const backup = await http.post(
      '/v1/providers',
      { name: 'backup', type: 'anthropic', apiKey: 'sk-ant-fault', baseUrl: fixture.fake.url },
      key,
    );
    const agent = await http.post(
      '/v1/agents',
      {
        name: 'guarded-agent',
        role: 'Fault suite payer',
        providerId: providers[0].id,
        llmConfig: {
          model: PRIMARY,
          fallbacks: [{ providerId: backup.body.id, model: BACKUP }],
          fallbackAfterMs: 1_000,
        },
        tools: [
          {
            type: 'http',
            name: 'transfer',
            parameters: { type: 'object' },
            url: `${tools.url}/transfer`,
            approval: 'always',
          },
        ],
      },
      key,
    );
    expect(agent.status).toBe(201);
    await stack.startWorker({ WORKER_CONCURRENCY: '4' });
    await stack.startWorker({ WORKER_CONCURRENCY: '4' });
    let kills = 0;
    const killOne = async () => {
      const live: ChildHandle[] = stack.liveWorkers();
      const victim = live[kills % live.length];
      victim.signal('SIGKILL');
      await victim.exited;
      kills += 1;
      await stack.startWorker({ WORKER_CONCURRENCY: '4' });
    };
    const statusCount = async (ids: string[], status: string) => {
      const [{ n }] = await dataSource.query(
        `SELECT count(*)::int AS n FROM agent_executions WHERE id = ANY($1::uuid[]) AND status = $2`,
        [ids, status],
      );
      return n as number;
    };

    // 1. Fallbacks under way: kill a worker once some have paused for approval.
    const accepted = await stack.submit(EXECUTIONS, {
      tag: 'guarded',
      agentId: agent.body.id,
      maxAttempts: 10,
    });
    const ids = accepted.map((execution) => execution.id);
    await waitUntil(async () => (await statusCount(ids, 'requires_action')) > 0, 'a pause', 60_000);
    await killOne();
    await waitUntil(
      async () => (await statusCount(ids, 'requires_action')) === ids.length,
      'every execution to wait for approval',
      120_000,
    );
    // 2. Waiting holds no worker: killing one now loses nothing.
    await killOne();
    expect(tools.calls).toHaveLength(0);

    // 3. Approve: half by token link, half by API key; kill a worker while they resume.
    for (const [i, id] of ids.entries()) {
      const paused = (await http.get(`/v1/executions/${id}`, key)).body;
      const answer =
        i % 2 === 0
          ? await http.post(new URL(paused.requiredAction.approvalUrl).pathname, { approve: true })
          : await http.post(
              `/v1/executions/${id}/approvals`,
              {
                decisions: paused.requiredAction.toolCalls.map((call: { id: string }) => ({
                  toolCallId: call.id,
                  approve: true,
                })),
              },
              key,
            );
      expect(answer.status).toBe(200);
      if (i === Math.floor(ids.length / 2)) await killOne();
    }
    await waitForAllTerminal(dataSource, ids, 240_000);

    // 4. Rerun every one from step 2 (its answer), killing a worker while they run.
    const reruns: { id: string; marker: string }[] = [];
    for (const { id, marker } of accepted) {
      const rerun = await http.post(`/v1/executions/${id}/rerun`, { fromStep: 2 }, key);
      expect(rerun.status).toBe(201);
      reruns.push({ id: rerun.body.id, marker });
    }
    const rerunIds = reruns.map((rerun) => rerun.id);
    await waitUntil(
      async () => (await countTerminal(dataSource, rerunIds)) > 0 || kills > 10,
      'reruns under way',
      60_000,
    );
    await killOne();
    await waitForAllTerminal(dataSource, rerunIds, 240_000);

    const all = [...accepted, ...reruns];
    const figures = await collectFigures(dataSource, fixture.fake, all, () => Infinity);
    const stepDrift = await findStepUsageDrift(dataSource);
    const transfers: { tool_call_id: string; recorded: number }[] = await dataSource.query(
      `SELECT c->>'id' AS tool_call_id,
              (SELECT count(*)::int FROM execution_steps t
                WHERE t.execution_id = m.execution_id AND t.tool_call_id = c->>'id'
                  AND NOT t.reused) AS recorded
         FROM execution_steps m CROSS JOIN jsonb_array_elements(m.tool_calls) AS c
        WHERE m.type = 'model' AND NOT m.reused AND m.execution_id = ANY($1::uuid[])`,
      [ids],
    );
    const delivered = new Set(tools.calls.map((call) => call.body.toolCallId));
    const [{ charged, reused }] = await dataSource.query(
      `SELECT count(*) FILTER (WHERE NOT reused)::int AS charged,
              count(*) FILTER (WHERE reused)::int AS reused
         FROM execution_steps WHERE type = 'model' AND execution_id = ANY($1::uuid[])`,
      [rerunIds],
    );
    reportFigures(`kill -9 during ${EXECUTIONS} fallbacks, approval waits and reruns`, figures, {
      kills,
      transfers: tools.calls.length,
      stepUsageDrift: stepDrift.length,
      rerunChargedSteps: charged,
      rerunReusedSteps: reused,
    });
    expectLedgerExact(figures);
    expect(figures.byStatus).toEqual({ succeeded: EXECUTIONS * 2 });
    expect(stepDrift).toEqual([]);
    expect(transfers).toHaveLength(EXECUTIONS);
    expect(transfers.filter((call) => call.recorded !== 1)).toEqual([]);
    expect(transfers.every((call) => delivered.has(call.tool_call_id))).toBe(true);
    // A rerun from step 2 reuses the first model step and is charged for its answer only.
    expect(reused).toBe(EXECUTIONS);
    expect(charged).toBeGreaterThanOrEqual(EXECUTIONS);
    const answered: { n: number }[] = await dataSource.query(
      `SELECT count(*)::int AS n FROM execution_steps
        WHERE execution_id = ANY($1::uuid[]) AND type = 'model' AND NOT reused AND error IS NULL
        GROUP BY execution_id`,
      [rerunIds],
    );
    expect(answered.map((row) => row.n)).toEqual(Array(EXECUTIONS).fill(1));
  }, 600_000);
});
