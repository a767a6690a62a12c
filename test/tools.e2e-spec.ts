import { randomUUID } from 'node:crypto';
import { FakeProviderServer, findAccountingDrift, findStepUsageDrift } from '@agentq/testing';
import { setUpAgent, waitFor, waitForTerminal } from './support/scenario';
import { readEventStream } from './support/sse-client';
import { startTestStack, TestStack } from './support/test-stack';
import { startToolServer, ToolServer } from './support/tool-server';

const OBJECT_SCHEMA = {
  type: 'object',
  properties: { query: { type: 'string' } },
  required: ['query'],
};

// Agents that act: http tools, client tools and the step loop, through the HTTP API.
describe('tools and the step loop', () => {
  let stack: TestStack;
  let fake: FakeProviderServer;
  let tools: ToolServer;
  let apiKey: string;
  let openaiProvider: string;
  let anthropicProvider: string;

  beforeAll(async () => {
    fake = new FakeProviderServer();
    await fake.start();
    tools = await startToolServer();
    stack = await startTestStack({
      workers: 1,
      env: { WORKER_CONCURRENCY: '20', RECONCILER_INTERVAL_MS: '300' },
    });
    const setup = await setUpAgent(stack, {
      provider: {
        name: 'openai',
        type: 'openai',
        apiKey: 'sk-test-0001',
        baseUrl: `${fake.url}/v1`,
      },
    });
    apiKey = setup.tenant.apiKey;
    openaiProvider = setup.providerId;
    const anthropic = await stack.http.post(
      '/v1/providers',
      { name: 'anthropic', type: 'anthropic', apiKey: 'sk-ant-test-0001', baseUrl: fake.url },
      apiKey,
    );
    anthropicProvider = anthropic.body.id;
    const rotated = await stack.http.post('/v1/tool-signing-secret/rotate', {}, apiKey);
    expect(rotated.status).toBe(201);
    tools.secret = rotated.body.secret;
  });

  afterAll(async () => {
    await stack.stop();
    await tools.close();
    await fake.stop();
  });

  afterEach(async () => {
    fake.clear();
    tools.calls.length = 0;
    tools.maxConcurrent = 0;
    tools.answer((call) => ({ body: JSON.stringify({ echoed: call.body.arguments }) }));
    expect(await findAccountingDrift(stack.db)).toEqual({
      lifetime: [],
      daily: [],
      attribution: [],
    });
    expect(await findStepUsageDrift(stack.db)).toEqual([]);
  });

  async function createAgent(extra: Record<string, unknown>, providerId = openaiProvider) {
    const agent = await stack.http.post(
      '/v1/agents',
      {
        name: `agent-${Math.random().toString(36).slice(2)}`,
        role: 'Tool user',
        providerId,
        llmConfig: { model: 'gpt-4o-mini' },
        ...extra,
      },
      apiKey,
    );
    expect(agent.status).toBe(201);
    return agent.body;
  }

  const httpTool = (name: string, extra: Record<string, unknown> = {}) => ({
    type: 'http',
    name,
    description: `the ${name} tool`,
    parameters: OBJECT_SCHEMA,
    url: `${tools.url}/${name}`,
    ...extra,
  });
  const clientTool = (name: string) => ({
    type: 'client',
    name,
    description: 'run by the caller',
    parameters: OBJECT_SCHEMA,
  });
  const submit = (agentId: string, message: string, extra: Record<string, unknown> = {}) =>
    stack.http.post(`/v1/agents/${agentId}/executions`, { input: { message }, ...extra }, apiKey);
  const steps = async (id: string) =>
    (await stack.http.get(`/v1/executions/${id}/steps`, apiKey)).body;
  const marked = (marker: string) => (r: { prompt: string }) => r.prompt.includes(marker);
  const waitForStatus = (id: string, status: string) =>
    waitFor(async () => {
      const answer = await stack.http.get(`/v1/executions/${id}`, apiKey);
      return answer.body.status === status ? answer.body : undefined;
    }, `execution ${id} to be ${status}`);

  function expectUsageIsSumOfSteps(execution: any, all: any[]) {
    const models = all.filter((step) => step.type === 'model');
    const sum = (key: 'promptTokens' | 'completionTokens') =>
      models.reduce((total, step) => total + step.usage[key], 0);
    expect(execution.usage.promptTokens).toBe(sum('promptTokens'));
    expect(execution.usage.completionTokens).toBe(sum('completionTokens'));
  }

  it('validates tools: 400 naming the field, secret headers shown by their last 4', async () => {
    const bad = await stack.http.post(
      '/v1/agents',
      {
        name: 'bad',
        role: 'r',
        llmConfig: { model: 'm' },
        tools: [httpTool('a', { parameters: { type: 'object', required: 'x' } }), httpTool('a')],
      },
      apiKey,
    );
    expect(bad.status).toBe(400);
    const fields = bad.body.error.details.map((detail: { field: string }) => detail.field);
    expect(fields).toEqual(expect.arrayContaining(['tools', 'tools[0].parameters']));
    const badName = await stack.http.post(
      '/v1/agents',
      { name: 'bad', role: 'r', llmConfig: { model: 'm' }, tools: [clientTool('no spaces')] },
      apiKey,
    );
    expect(badName.status).toBe(400);
    const tooMany = await stack.http.post(
      '/v1/agents',
      { name: 'bad', role: 'r', llmConfig: { model: 'm' }, maxSteps: 51 },
      apiKey,
    );
    expect(tooMany.status).toBe(400);

    const agent = await createAgent({
      tools: [httpTool('lookup', { headers: { 'X-Api-Key': 'secret-value-1234' } })],
      maxSteps: 5,
    });
    expect(agent.maxSteps).toBe(5);
    expect(agent.tools[0].headers).toEqual({ 'X-Api-Key': { last4: '1234' } });
    expect(JSON.stringify(agent)).not.toContain('secret-value');
    const secret = await stack.http.get('/v1/tool-signing-secret', apiKey);
    expect(secret.body).toMatchObject({ exists: true, last4: tools.secret!.slice(-4) });
  });

  it.each([
    ['OpenAI', () => openaiProvider],
    ['Anthropic', () => anthropicProvider],
  ])('runs a 3-step http tool loop, signed, over the %s wire format', async (wire, provider) => {
    const marker = `loop-${wire}`;
    const agent = await createAgent(
      { tools: [httpTool('lookup', { headers: { 'X-Api-Key': 'k-9876' } })] },
      provider(),
    );
    fake
      .when(
        marked(marker),
        {
          kind: 'tool-calls',
          calls: [{ name: 'lookup', arguments: { query: 'first' } }],
          promptTokens: 100,
          completionTokens: 10,
        },
        { times: 1 },
      )
      .when(
        marked(marker),
        {
          kind: 'tool-calls',
          calls: [{ name: 'lookup', arguments: { query: 'second' } }],
          promptTokens: 200,
          completionTokens: 20,
        },
        { times: 1 },
      )
      .when(marked(marker), {
        kind: 'reply',
        text: 'all done',
        promptTokens: 300,
        completionTokens: 30,
      });
    tools.answer((call) => ({
      body: JSON.stringify({
        result: `found ${String((call.body.arguments as { query: string }).query)}`,
      }),
    }));

    const submitted = await submit(agent.id, marker);
    const done = await waitForTerminal(stack, apiKey, submitted.body.id);
    expect(done).toMatchObject({
      status: 'succeeded',
      output: { text: 'all done' },
      usage: { promptTokens: 600, completionTokens: 60 },
    });
    expect(tools.calls).toHaveLength(2);
    for (const call of tools.calls) {
      expect(call.signatureValid).toBe(true);
      expect(call.headers['x-api-key']).toBe('k-9876');
      expect(call.headers['webhook-id']).toBe(`tool_${done.id}_${call.body.toolCallId}`);
      expect(call.body).toMatchObject({ executionId: done.id, agentId: agent.id, name: 'lookup' });
    }
    const all = await steps(done.id);
    expect(all.map((step: any) => `${step.index}:${step.type}:${step.name}`)).toEqual([
      `0:model:gpt-4o-mini`,
      '1:tool:lookup',
      `2:model:gpt-4o-mini`,
      '3:tool:lookup',
      `4:model:gpt-4o-mini`,
    ]);
    expect(all[1]).toMatchObject({
      arguments: { query: 'first' },
      result: '{"result":"found first"}',
      error: null,
    });
    expectUsageIsSumOfSteps(done, all);
    // The model saw the tool's output in its own wire format.
    const last = fake.requests.filter(marked(marker)).at(-1)!;
    const wireText = JSON.stringify(last.body.messages);
    expect(wireText).toContain('found second');
    expect(wireText).toContain(wire === 'OpenAI' ? 'tool_call_id' : 'tool_result');
  });

  it('runs the tool calls of one step in parallel', async () => {
    const marker = 'parallel-calls';
    const agent = await createAgent({ tools: [httpTool('slow')] });
    fake
      .when(
        marked(marker),
        {
          kind: 'tool-calls',
          calls: ['a', 'b', 'c'].map((query) => ({ name: 'slow', arguments: { query } })),
        },
        { times: 1 },
      )
      .when(marked(marker), { kind: 'reply', text: 'three answers' });
    tools.answer(() => ({ body: '{"ok":true}', delayMs: 600 }));
    const startedAt = Date.now();
    const done = await waitForTerminal(stack, apiKey, (await submit(agent.id, marker)).body.id);
    expect(done.status).toBe('succeeded');
    expect(tools.maxConcurrent).toBe(3);
    expect(Date.now() - startedAt).toBeLessThan(1_700);
    const all = await steps(done.id);
    expect(all.filter((step: any) => step.type === 'tool')).toHaveLength(3);
  });

  it('turns a tool that times out, answers 500 or too much into a tool error the model sees', async () => {
    const marker = 'tool-timeout';
    const agent = await createAgent({
      tools: [httpTool('sleepy', { timeoutMs: 300 }), httpTool('broken'), httpTool('huge')],
    });
    fake
      .when(
        marked(marker),
        {
          kind: 'tool-calls',
          calls: [
            { name: 'sleepy', arguments: { query: 'x' } },
            { name: 'broken', arguments: { query: 'y' } },
            { name: 'huge', arguments: { query: 'z' } },
          ],
        },
        { times: 1 },
      )
      .when(marked(marker), { kind: 'reply', text: 'coped' });
    tools.answer((call) => {
      if (call.body.name === 'sleepy') return { delayMs: 3_000 };
      if (call.body.name === 'huge') return { body: 'x'.repeat(1024 * 1024 + 1) };
      return { status: 500, body: 'kaput' };
    });
    const done = await waitForTerminal(stack, apiKey, (await submit(agent.id, marker)).body.id);
    expect(done).toMatchObject({ status: 'succeeded', output: { text: 'coped' } });
    const toolSteps = (await steps(done.id)).filter((step: any) => step.type === 'tool');
    expect(toolSteps.map((step: any) => step.error.code)).toEqual([
      'tool_timeout',
      'tool_http_error',
      'tool_response_too_large',
    ]);
    const fedBack = JSON.stringify(fake.requests.filter(marked(marker)).at(-1)!.body.messages);
    expect(fedBack).toContain('did not answer within 300 ms');
    expect(fedBack).toContain('kaput');
  });

  it('tells the model about a tool it does not have, or bad arguments, and carries on', async () => {
    const marker = 'made-up-tool';
    const agent = await createAgent({ tools: [httpTool('lookup'), clientTool('get_weather')] });
    fake
      .when(
        marked(marker),
        {
          kind: 'tool-calls',
          calls: [
            { name: 'teleport', arguments: { query: 'mars' } },
            { name: 'lookup', arguments: { query: 42 } },
            { name: 'get_weather', arguments: {} },
          ],
        },
        { times: 1 },
      )
      .when(marked(marker), { kind: 'reply', text: 'cannot teleport' });
    const done = await waitForTerminal(stack, apiKey, (await submit(agent.id, marker)).body.id);
    expect(done).toMatchObject({ status: 'succeeded', output: { text: 'cannot teleport' } });
    const [, ...toolSteps] = await steps(done.id);
    expect(toolSteps.slice(0, 3).map((step: any) => [step.name, step.error?.code])).toEqual([
      ['teleport', 'unknown_tool'],
      ['lookup', 'invalid_arguments'],
      ['get_weather', 'invalid_arguments'],
    ]);
    expect(toolSteps[1].result).toContain('arguments/query must be string');
    // Neither the http tool was called nor the execution paused for the client tool.
    expect(tools.calls).toHaveLength(0);
  });

  it('shows the one model call of an agent without tools as its step', async () => {
    const marker = 'no-tools';
    const agent = await createAgent({});
    fake.when(marked(marker), {
      kind: 'reply',
      text: 'plain',
      promptTokens: 9,
      completionTokens: 4,
    });
    const done = (await submit(agent.id, marker, { wait: 10 })).body;
    expect(done.status).toBe('succeeded');
    expect(await steps(done.id)).toEqual([
      expect.objectContaining({
        index: 0,
        type: 'model',
        name: 'gpt-4o-mini',
        result: 'plain',
        usage: { promptTokens: 9, completionTokens: 4, costUsd: done.usage.costUsd },
        error: null,
      }),
    ]);
    expect((await stack.http.get(`/v1/executions/${randomUUID()}/steps`, apiKey)).status).toBe(404);
  });

  it('fails with max_steps_exceeded when the model keeps asking for tools', async () => {
    const marker = 'endless-tools';
    const agent = await createAgent({ tools: [httpTool('lookup')], maxSteps: 2 });
    fake.when(marked(marker), {
      kind: 'tool-calls',
      calls: [{ name: 'lookup', arguments: { query: 'more' } }],
      promptTokens: 10,
      completionTokens: 1,
    });
    const done = await waitForTerminal(stack, apiKey, (await submit(agent.id, marker)).body.id);
    expect(done).toMatchObject({
      status: 'failed',
      error: { code: 'max_steps_exceeded' },
      usage: { promptTokens: 20, completionTokens: 2 },
    });
    const all = await steps(done.id);
    expect(all.filter((step: any) => step.type === 'model')).toHaveLength(2);
  });

  it('counts every provider call when an attempt fails at step 3 and is retried', async () => {
    const marker = 'retried-loop';
    const agent = await createAgent({ tools: [httpTool('lookup')] });
    fake
      .when(
        marked(marker),
        {
          kind: 'tool-calls',
          calls: [{ name: 'lookup', arguments: { query: '1' } }],
          promptTokens: 11,
          completionTokens: 1,
        },
        { times: 1 },
      )
      .when(
        marked(marker),
        {
          kind: 'tool-calls',
          calls: [{ name: 'lookup', arguments: { query: '2' } }],
          promptTokens: 22,
          completionTokens: 2,
        },
        { times: 1 },
      )
      .when(marked(marker), { kind: 'error', status: 500 }, { times: 1 })
      .when(marked(marker), {
        kind: 'reply',
        text: 'recovered',
        promptTokens: 33,
        completionTokens: 3,
      });
    const submitted = await submit(agent.id, marker, { maxAttempts: 3 });
    const done = await waitForTerminal(stack, apiKey, submitted.body.id);
    expect(done).toMatchObject({
      status: 'succeeded',
      attempts: 2,
      usage: { promptTokens: 66, completionTokens: 6 },
    });
    const all = await steps(done.id);
    expect(all.map((step: any) => `${step.type}@${step.attempt}${step.error ? '!' : ''}`)).toEqual([
      'model@1',
      'tool@1',
      'model@1',
      'tool@1',
      'model@1!',
      'model@2',
    ]);
    // Attempt 2 carried on from the committed steps: no tool call was repeated.
    expect(tools.calls).toHaveLength(2);
    expectUsageIsSumOfSteps(done, all);
  });

  it.each(['OpenAI', 'Anthropic'] as const)(
    'streams a tool loop over the %s wire format: steps as they commit, then the answer',
    async (wire) => {
      const marker = `stream-loop-${wire}`;
      const agent = await createAgent(
        { tools: [httpTool('lookup')], stream: true },
        wire === 'OpenAI' ? openaiProvider : anthropicProvider,
      );
      fake
        .when(
          marked(marker),
          { kind: 'tool-calls', calls: [{ name: 'lookup', arguments: { query: 'q' } }] },
          { times: 1 },
        )
        .when(marked(marker), { kind: 'reply', text: 'found it for you' });
      const done = await waitForTerminal(stack, apiKey, (await submit(agent.id, marker)).body.id);
      expect(done).toMatchObject({ status: 'succeeded', output: { text: 'found it for you' } });
      // Every provider call of the loop was streamed, the tool call's too.
      expect(fake.requests.filter(marked(marker)).map((r) => r.body.stream)).toEqual([true, true]);
      const { events } = await readEventStream(
        `${stack.http.baseUrl}/v1/executions/${done.id}/stream`,
        apiKey,
      );
      const kinds = events.map((event) =>
        event.event === 'step' ? `step:${event.data.step.type}` : event.event,
      );
      expect(kinds.filter((kind) => kind !== 'delta')).toEqual([
        'step:model',
        'step:tool',
        'step:model',
        'succeeded',
      ]);
      const afterLastStep = events.slice(kinds.lastIndexOf('step:tool') + 1);
      const text = afterLastStep
        .filter((event) => event.event === 'delta')
        .map((event) => event.data.text)
        .join('');
      expect(text).toBe('found it for you');
      expectUsageIsSumOfSteps(done, await steps(done.id));
    },
  );

  it('validates a tool loop’s final answer against responseFormat, with one repair step', async () => {
    const marker = 'format-loop';
    const responseFormat = {
      type: 'json_schema',
      name: 'answer',
      schema: {
        type: 'object',
        properties: { city: { type: 'string' } },
        required: ['city'],
      },
    };
    const agent = await createAgent({ tools: [httpTool('lookup')], responseFormat });
    fake
      .when(
        marked(marker),
        { kind: 'tool-calls', calls: [{ name: 'lookup', arguments: { query: 'q' } }] },
        { times: 1 },
      )
      .when(marked(marker), { kind: 'reply', text: 'Paris, I think' }, { times: 1 })
      .when(marked(marker), { kind: 'reply', text: '{"city": "Paris"}' });
    const done = await waitForTerminal(stack, apiKey, (await submit(agent.id, marker)).body.id);
    expect(done).toMatchObject({ status: 'succeeded', output: { json: { city: 'Paris' } } });
    const all = await steps(done.id);
    expect(all.map((step: any) => `${step.index}:${step.type}`)).toEqual([
      '0:model',
      '1:tool',
      '2:model',
      '3:model',
    ]);
    expectUsageIsSumOfSteps(done, all);
    const requests = fake.requests.filter(marked(marker));
    expect(
      requests.map((r) => (r.body.response_format as { type?: string } | undefined)?.type),
    ).toEqual(['json_schema', 'json_schema', 'json_schema']);
    expect(JSON.stringify(requests[2].body.messages)).toContain('does not match');

    const stubborn = 'stubborn-answer';
    fake.when(marked(stubborn), { kind: 'reply', text: 'no JSON here' });
    const failed = await waitForTerminal(stack, apiKey, (await submit(agent.id, stubborn)).body.id);
    expect(failed).toMatchObject({ status: 'failed', error: { code: 'invalid_output' } });
    const failedSteps = await steps(failed.id);
    expect(failedSteps.map((step: any) => step.type)).toEqual(['model', 'model']);
    expectUsageIsSumOfSteps(failed, failedSteps);
  });

  describe('client tools', () => {
    async function pausedExecution(
      marker: string,
      submission: Record<string, unknown> = {},
      providerId = openaiProvider,
    ) {
      const agent = await createAgent(
        { tools: [clientTool('get_weather'), httpTool('lookup')] },
        providerId,
      );
      fake
        .when(
          marked(marker),
          {
            kind: 'tool-calls',
            calls: [
              { name: 'get_weather', arguments: { query: 'Paris' }, id: `${marker}-w` },
              { name: 'lookup', arguments: { query: 'Paris' }, id: `${marker}-l` },
            ],
            promptTokens: 50,
            completionTokens: 5,
          },
          { times: 1 },
        )
        .when(marked(marker), {
          kind: 'reply',
          text: 'It is sunny in Paris',
          promptTokens: 70,
          completionTokens: 7,
        });
      // A waiting submission answers as soon as the execution pauses.
      const startedAt = Date.now();
      const submitted = await submit(agent.id, marker, { ...submission, wait: 20 });
      expect(submitted.status).toBe(202);
      expect(Date.now() - startedAt).toBeLessThan(10_000);
      const paused = await waitForStatus(submitted.body.id, 'requires_action');
      return { agent, paused };
    }

    it('pauses with requires_action and resumes with the posted outputs', async () => {
      const marker = 'weather-resume';
      const { paused } = await pausedExecution(marker);
      expect(paused.requiredAction).toEqual({
        toolCalls: [{ id: `${marker}-w`, name: 'get_weather', arguments: { query: 'Paris' } }],
      });
      expect(paused.actionDeadline).toEqual(expect.any(String));
      // The http tool of the same step ran; the client tool waits.
      expect(tools.calls.map((call) => call.body.toolCallId)).toEqual([`${marker}-l`]);

      const events = await readFirstEvent(`/v1/executions/${paused.id}/events`);
      expect(events).toContain('event: requires_action');
      expect(events).toContain(`${marker}-w`);

      const post = (outputs: unknown) =>
        stack.http.post(`/v1/executions/${paused.id}/tool-outputs`, { outputs }, apiKey);
      expect((await post([])).status).toBe(400);
      expect((await post([{ toolCallId: 'nope', output: 'x' }])).status).toBe(409);
      expect(
        (
          await post([
            { toolCallId: `${marker}-w`, output: 'a' },
            { toolCallId: `${marker}-w`, output: 'b' },
          ])
        ).status,
      ).toBe(409);
      const resumed = await post([{ toolCallId: `${marker}-w`, output: { sky: 'sunny', c: 21 } }]);
      expect(resumed.status).toBe(200);
      // Queued again, and perhaps already taken by a worker by the time the answer is read.
      expect(['queued', 'running', 'succeeded']).toContain(resumed.body.status);
      expect(resumed.body.requiredAction).toBeNull();
      const done = await waitForTerminal(stack, apiKey, paused.id);
      expect(done).toMatchObject({
        status: 'succeeded',
        output: { text: 'It is sunny in Paris' },
        usage: { promptTokens: 120, completionTokens: 12 },
        // The pause used no attempt: the resumed run is still the first.
        attempts: 1,
      });
      expect((await post([{ toolCallId: `${marker}-w`, output: 'late' }])).status).toBe(409);
      const all = await steps(done.id);
      expect(all.map((step: any) => `${step.index}:${step.type}:${step.name}`)).toEqual([
        '0:model:gpt-4o-mini',
        '1:tool:get_weather',
        '2:tool:lookup',
        '3:model:gpt-4o-mini',
      ]);
      expect(all[1].result).toBe('{"sky":"sunny","c":21}');
      const fedBack = JSON.stringify(fake.requests.filter(marked(marker)).at(-1)!.body.messages);
      expect(fedBack).toContain('sunny');
    });

    it('resumes at once when the outputs come the moment it pauses', async () => {
      const marker = 'weather-quick';
      const { paused } = await pausedExecution(marker);
      const resumedAt = Date.now();
      const resumed = await stack.http.post(
        `/v1/executions/${paused.id}/tool-outputs`,
        { outputs: [{ toolCallId: `${marker}-w`, output: 'sunny' }] },
        apiKey,
      );
      expect(resumed.status).toBe(200);
      const done = await waitForTerminal(stack, apiKey, paused.id);
      expect(done.status).toBe('succeeded');
      // Not left to the reconciler (RECONCILER_QUEUED_GRACE_MS, 10 s).
      expect(Date.now() - resumedAt).toBeLessThan(5_000);
    });

    it('pauses and resumes over the Anthropic wire format', async () => {
      const marker = 'weather-anthropic';
      const { paused } = await pausedExecution(marker, {}, anthropicProvider);
      const resumed = await stack.http.post(
        `/v1/executions/${paused.id}/tool-outputs`,
        { outputs: [{ toolCallId: `${marker}-w`, output: 'foggy' }] },
        apiKey,
      );
      expect(resumed.status).toBe(200);
      const done = await waitForTerminal(stack, apiKey, paused.id);
      expect(done).toMatchObject({ status: 'succeeded', usage: { promptTokens: 120 } });
      const last = fake.requests.filter(marked(marker)).at(-1)!;
      expect(last.api).toBe('anthropic');
      // Both outputs answer the assistant's tool_use blocks in one user turn.
      expect(last.body.messages).toContainEqual({
        role: 'user',
        content: [
          { type: 'tool_result', tool_use_id: `${marker}-w`, content: 'foggy' },
          expect.objectContaining({ type: 'tool_result', tool_use_id: `${marker}-l` }),
        ],
      });
    });

    it('fails with action_timeout when no outputs come in time', async () => {
      const { paused } = await pausedExecution('weather-timeout', { actionTimeoutMs: 1_000 });
      const done = await waitForTerminal(stack, apiKey, paused.id, 15_000);
      expect(done).toMatchObject({
        status: 'failed',
        error: { code: 'action_timeout' },
        requiredAction: null,
        usage: { promptTokens: 50, completionTokens: 5 },
      });
    });

    it('can be cancelled while waiting', async () => {
      const { paused } = await pausedExecution('weather-cancel');
      const cancelled = await stack.http.post(`/v1/executions/${paused.id}/cancel`, {}, apiKey);
      expect(cancelled.status).toBe(200);
      expect(cancelled.body).toMatchObject({
        status: 'cancelled',
        usage: { promptTokens: 50, completionTokens: 5 },
      });
      const late = await stack.http.post(
        `/v1/executions/${paused.id}/tool-outputs`,
        { outputs: [{ toolCallId: 'weather-cancel-w', output: 'x' }] },
        apiKey,
      );
      expect(late.status).toBe(409);
    });

    it('resumes on a new worker after every worker restarted while it waited', async () => {
      const marker = 'weather-restart';
      const { paused } = await pausedExecution(marker);
      for (const worker of [...stack.workers]) await stack.stopWorker(worker);
      await stack.startWorker();
      const resumed = await stack.http.post(
        `/v1/executions/${paused.id}/tool-outputs`,
        { outputs: [{ toolCallId: `${marker}-w`, output: 'rainy' }] },
        apiKey,
      );
      expect(resumed.status).toBe(200);
      const done = await waitForTerminal(stack, apiKey, paused.id);
      expect(done).toMatchObject({ status: 'succeeded', output: { text: 'It is sunny in Paris' } });
    });
  });

  // The first chunk of an SSE stream (its snapshot event), then the connection is dropped.
  async function readFirstEvent(path: string): Promise<string> {
    const controller = new AbortController();
    const response = await fetch(`${stack.http.baseUrl}${path}`, {
      headers: { authorization: `Bearer ${apiKey}` },
      signal: controller.signal,
    });
    const reader = response.body!.getReader();
    const { value } = await reader.read();
    controller.abort();
    return new TextDecoder().decode(value);
  }
});
