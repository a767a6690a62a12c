import { FakeProviderRequest, findStepUsageDrift } from '@agentq/testing';
import { startToolServer, ToolServer } from '../support/tool-server';
import { FaultFixture, startFaultFixture } from './support/fault-fixture';
import { MARKER_PATTERN, waitUntil } from './support/fault-stack';
import {
  collectFigures,
  countTerminal,
  expectLedgerExact,
  FULL_SCALE,
  reportFigures,
  waitForAllTerminal,
} from './support/ledger';

const EXECUTIONS = FULL_SCALE ? 200 : 40;
const WORKERS = 3;

// 3 to 5 tool steps, fixed per marker, so any attempt makes the same conversation.
const toolStepsFor = (marker: string) =>
  3 + ([...marker].reduce((sum, char) => sum + char.charCodeAt(0), 0) % 3);

const markerOf = (request: FakeProviderRequest) => MARKER_PATTERN.exec(request.prompt)?.[1] ?? '';

// Tool outputs already in the conversation the model is sent (OpenAI role `tool`).
const toolResultsIn = (request: FakeProviderRequest) =>
  (Array.isArray(request.body.messages) ? request.body.messages : []).filter(
    (message: { role?: string }) => message?.role === 'tool',
  ).length;

describe('fault: kill -9 workers during tool loops of 3-5 steps', () => {
  let fixture: FaultFixture;
  let tools: ToolServer;

  beforeAll(async () => {
    fixture = await startFaultFixture({ replyDelayMs: 50 });
    tools = await startToolServer();
    tools.answer((call) => ({ body: JSON.stringify({ done: call.body.arguments }), delayMs: 250 }));
    // The model asks for one tool per step until the marker's count of outputs is reached.
    for (let k = 0; k < 5; k += 1) {
      fixture.fake.when(
        (request) => toolResultsIn(request) === k && k < toolStepsFor(markerOf(request)),
        {
          kind: 'delay',
          ms: 100,
          then: {
            kind: 'tool-calls',
            calls: [{ name: 'work', arguments: { step: k } }],
            promptTokens: 100,
            completionTokens: 10,
          },
        },
      );
    }
  }, 120_000);

  afterAll(async () => {
    await fixture?.teardown();
    await tools?.close();
  }, 60_000);

  it('nothing lost or ended twice; usage = recorded model steps; each tool call recorded once', async () => {
    const { stack, dataSource } = fixture;
    const secret = await stack.http.post('/v1/tool-signing-secret/rotate', {}, stack.apiKey);
    tools.secret = secret.body.secret;
    const agent = await stack.http.post(
      '/v1/agents',
      {
        name: 'tool-loop-agent',
        role: 'Fault suite tool user',
        llmConfig: { model: 'gpt-4o-mini', maxTokens: 32 },
        tools: [
          { type: 'http', name: 'work', parameters: { type: 'object' }, url: `${tools.url}/work` },
        ],
      },
      stack.apiKey,
    );
    expect(agent.status).toBe(201);
    for (let i = 0; i < WORKERS; i += 1) await stack.startWorker({ WORKER_CONCURRENCY: '5' });

    const accepted = await stack.submit(EXECUTIONS, {
      tag: 'tools',
      agentId: agent.body.id,
      maxAttempts: 10,
    });
    const ids = accepted.map((execution) => execution.id);

    // Kill a worker every so often until everything has ended, starting a fresh one each time.
    let kills = 0;
    while ((await countTerminal(dataSource, ids)) < ids.length && kills < (FULL_SCALE ? 12 : 4)) {
      await waitUntil(
        async () => (await countTerminal(dataSource, ids)) > 0 || tools.calls.length > kills * 10,
        'tool loops to be under way',
        60_000,
      );
      const live = stack.liveWorkers();
      const victim = live[kills % live.length];
      victim.signal('SIGKILL');
      await victim.exited;
      kills += 1;
      await stack.startWorker({ WORKER_CONCURRENCY: '5' });
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
    await waitForAllTerminal(dataSource, ids, 240_000);

    const figures = await collectFigures(
      dataSource,
      fixture.fake,
      accepted,
      (marker) => toolStepsFor(marker) + 1,
    );
    const toolCalls: { tool_call_id: string; recorded: number }[] = await dataSource.query(
      `SELECT c->>'id' AS tool_call_id,
              (SELECT count(*)::int FROM execution_steps t
                WHERE t.execution_id = m.execution_id AND t.tool_call_id = c->>'id') AS recorded
         FROM execution_steps m CROSS JOIN jsonb_array_elements(m.tool_calls) AS c
        WHERE m.type = 'model' AND m.execution_id = ANY($1::uuid[])`,
      [ids],
    );
    const delivered = new Set(tools.calls.map((call) => call.body.toolCallId));
    const notRecordedOnce = toolCalls.filter((call) => call.recorded !== 1);
    const neverDelivered = toolCalls.filter((call) => !delivered.has(call.tool_call_id));
    const stepDrift = await findStepUsageDrift(dataSource);
    reportFigures(`kill -9 workers during ${EXECUTIONS} tool loops`, figures, {
      kills,
      toolCalls: toolCalls.length,
      toolDeliveries: tools.calls.length,
      stepUsageDrift: stepDrift.length,
    });
    expectLedgerExact(figures);
    expect(figures.byStatus).toEqual({ succeeded: EXECUTIONS });
    expect(stepDrift).toEqual([]);
    expect(notRecordedOnce).toEqual([]);
    expect(neverDelivered).toEqual([]);
    expect(tools.calls.every((call) => call.signatureValid)).toBe(true);
    const expectedToolCalls = accepted.reduce((sum, { marker }) => sum + toolStepsFor(marker), 0);
    expect(toolCalls.length).toBe(expectedToolCalls);
  }, 600_000);
});
