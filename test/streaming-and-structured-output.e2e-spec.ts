import { FakeProviderServer, findAccountingDrift } from '@agentq/testing';
import { startProcess } from './support/child-process';
import { setUpAgent, waitFor, waitForTerminal } from './support/scenario';
import { readEventStream, ServerSentEvent } from './support/sse-client';
import { startTestStack, TestStack } from './support/test-stack';

// The text a client shows: deltas appended, dropped at each `reset`.
function textOf(events: ServerSentEvent[]): string {
  let text = '';
  for (const { event, data } of events) {
    if (event === 'reset') text = '';
    if (event === 'delta') text += data.text;
  }
  return text;
}

const weather = {
  type: 'json_schema',
  name: 'weather',
  schema: {
    type: 'object',
    properties: { city: { type: 'string' }, celsius: { type: 'number' } },
    required: ['city', 'celsius'],
    additionalProperties: false,
  },
};

describe('streamed and structured output, through the HTTP API', () => {
  let stack: TestStack;
  let fake: FakeProviderServer;
  let apiKey: string;
  let openaiAgent: string;
  let anthropicAgent: string;

  beforeAll(async () => {
    fake = new FakeProviderServer();
    await fake.start();
    stack = await startTestStack({ workers: 1, env: { WORKER_CONCURRENCY: '10' } });
    const openai = await setUpAgent(stack, {
      provider: {
        name: 'openai',
        type: 'openai',
        apiKey: 'sk-test-0001',
        baseUrl: `${fake.url}/v1`,
      },
      agent: { llmConfig: { model: 'gpt-4o-mini' } },
    });
    apiKey = openai.tenant.apiKey;
    openaiAgent = openai.agentId;
    const provider = await stack.http.post(
      '/v1/providers',
      { name: 'anthropic', type: 'anthropic', apiKey: 'sk-ant-test-0001', baseUrl: fake.url },
      apiKey,
    );
    const agent = await stack.http.post(
      '/v1/agents',
      {
        name: 'claude',
        role: 'Reviewer',
        providerId: provider.body.id,
        llmConfig: { model: 'claude-haiku-4-5' },
        stream: true,
      },
      apiKey,
    );
    expect(agent.body).toMatchObject({ stream: true, responseFormat: null });
    anthropicAgent = agent.body.id;
  });

  afterAll(async () => {
    await stack?.stop();
    await fake?.stop();
  });

  afterEach(() => fake.clear());

  const submit = (agentId: string, message: string, extra: Record<string, unknown> = {}) =>
    stack.http.post(`/v1/agents/${agentId}/executions`, { input: { message }, ...extra }, apiKey);
  const streamUrl = (id: string) => `${stack.http.baseUrl}/v1/executions/${id}/stream`;
  const chunks = ['Paris', ' is', ' sunny', ' and', ' 21', ' degrees', ' today.'];
  const slowReply = (marker: string) =>
    fake.when((r) => r.prompt.includes(marker), {
      kind: 'reply',
      chunks,
      text: chunks.join(''),
      chunkDelayMs: 80,
      promptTokens: 50,
      completionTokens: 7,
    });

  describe('streaming', () => {
    it('streams OpenAI deltas live and replays them all to a late client', async () => {
      slowReply('stream-openai');
      const submitted = await submit(openaiAgent, 'stream-openai', { stream: true });
      expect(submitted.body.stream).toBe(true);

      const live = await readEventStream(streamUrl(submitted.body.id), apiKey);
      const done = await waitForTerminal(stack, apiKey, submitted.body.id);
      const late = await readEventStream(streamUrl(submitted.body.id), apiKey);

      expect(live.status).toBe(200);
      const deltas = live.events.filter((e) => e.event === 'delta');
      expect(deltas.length).toBeGreaterThanOrEqual(3);
      expect(deltas.every((e) => e.data.attempt === 1 && e.id)).toBe(true);
      expect(textOf(live.events)).toBe(chunks.join(''));
      expect(live.events.at(-1)).toMatchObject({
        event: 'succeeded',
        data: { output: { text: chunks.join('') } },
      });
      expect(done.output.text).toBe(textOf(live.events));
      expect(late.events).toEqual(live.events);
      expect(fake.requests[0].body.stream).toBe(true);

      // The same reply, not streamed, is persisted identically.
      slowReply('plain-openai');
      const plain = await submit(openaiAgent, 'plain-openai', { wait: 10 });
      expect(plain.body.stream).toBe(false);
      expect(fake.requests[1].body.stream).toBeUndefined();
      expect(plain.body.output).toEqual({
        ...done.output,
        responseId: plain.body.output.responseId,
      });
      expect(plain.body.usage).toEqual(done.usage);
    });

    it('streams Anthropic deltas by the agent’s default; a client resumes with Last-Event-ID', async () => {
      slowReply('stream-anthropic');
      const submitted = await submit(anthropicAgent, 'stream-anthropic');
      expect(submitted.body.stream).toBe(true);

      const first = await readEventStream(streamUrl(submitted.body.id), apiKey, {
        until: (events) => events.filter((e) => e.event === 'delta').length >= 2,
      });
      const resumed = await readEventStream(streamUrl(submitted.body.id), apiKey, {
        lastEventId: first.events.at(-1)!.id!,
      });
      const done = await waitForTerminal(stack, apiKey, submitted.body.id);
      const late = await readEventStream(streamUrl(submitted.body.id), apiKey);

      const ids = [...first.events, ...resumed.events].map((e) => e.id);
      expect(new Set(ids).size).toBe(ids.length);
      expect(textOf([...first.events, ...resumed.events])).toBe(chunks.join(''));
      expect(resumed.events.at(-1)!.event).toBe('succeeded');
      expect(late.events).toEqual([...first.events, ...resumed.events]);
      expect(done).toMatchObject({ status: 'succeeded', output: { text: chunks.join('') } });
      expect(fake.requests[0]).toMatchObject({ api: 'anthropic', body: { stream: true } });
    });

    it('tells clients to start over when an attempt fails mid-stream and is retried', async () => {
      fake.when(
        (r) => r.prompt.includes('stream-drop'),
        { kind: 'reply', chunks, text: chunks.join(''), dropAfterChunks: 3 },
        { times: 1 },
      );
      fake.when((r) => r.prompt.includes('stream-drop'), {
        kind: 'reply',
        chunks,
        text: chunks.join(''),
      });
      const submitted = await submit(openaiAgent, 'stream-drop', { stream: true });
      const done = await waitForTerminal(stack, apiKey, submitted.body.id);
      const late = await readEventStream(streamUrl(submitted.body.id), apiKey);

      expect(done).toMatchObject({ status: 'succeeded', attempts: 2 });
      const reset = late.events.findIndex((e) => e.event === 'reset');
      expect(late.events[reset].data).toEqual({ type: 'reset', attempt: 2, reason: 'retry' });
      expect(textOf(late.events.slice(0, reset))).toBe('Paris is sunny');
      expect(late.events.slice(reset + 1).every((e) => e.data.attempt === 2)).toBe(true);
      expect(textOf(late.events)).toBe(done.output.text);
    });

    it('answers 409 not_streamed for an execution that is not streamed', async () => {
      const submitted = await submit(openaiAgent, 'not-streamed', { wait: 10 });
      const answer = await readEventStream(streamUrl(submitted.body.id), apiKey);
      expect(answer.status).toBe(409);
      expect(answer.body).toMatchObject({ error: { code: 'not_streamed' } });
    });

    // The cancel appends the terminal entry itself (libs/executions announces every terminal
    // transition); the API's fallback from the row covers a stream whose entry was lost.
    it('ends the stream of an execution cancelled while queued', async () => {
      const submitted = await submit(openaiAgent, 'cancelled-queued', {
        stream: true,
        delayMs: 60_000,
      });
      const reading = readEventStream(streamUrl(submitted.body.id), apiKey);
      await new Promise((resolve) => setTimeout(resolve, 300));
      await stack.http.post(`/v1/executions/${submitted.body.id}/cancel`, {}, apiKey);
      const { events } = await reading;
      expect(events).toEqual([
        {
          id: expect.any(String),
          event: 'cancelled',
          data: expect.objectContaining({ type: 'cancelled' }),
        },
      ]);
    });
  });

  describe('structured output', () => {
    it('parses a valid OpenAI answer into output.json, asking in the native mode', async () => {
      fake.when((r) => r.prompt.includes('so-valid'), {
        kind: 'reply',
        text: '{"city":"Paris","celsius":21}',
      });
      const answer = await submit(openaiAgent, 'so-valid', { responseFormat: weather, wait: 10 });
      expect(answer.body).toMatchObject({
        status: 'succeeded',
        responseFormat: weather,
        output: { text: '{"city":"Paris","celsius":21}', json: { city: 'Paris', celsius: 21 } },
      });
      expect(fake.requests[0].body.response_format).toEqual({
        type: 'json_schema',
        json_schema: { name: 'weather', schema: weather.schema },
      });
      const read = await stack.http.get(`/v1/executions/${answer.body.id}`, apiKey);
      expect(read.body.output.json).toEqual({ city: 'Paris', celsius: 21 });
    });

    it('repairs an invalid answer once, feeding the errors back, and counts both calls', async () => {
      fake.when(
        (r) => r.prompt.includes('so-repair'),
        { kind: 'reply', text: '{"city":"Paris"}', promptTokens: 100, completionTokens: 10 },
        { times: 1 },
      );
      fake.when((r) => r.prompt.includes('so-repair'), {
        kind: 'reply',
        text: '{"city":"Paris","celsius":21}',
        promptTokens: 130,
        completionTokens: 12,
      });
      const answer = await submit(openaiAgent, 'so-repair', {
        responseFormat: weather,
        stream: true,
        wait: 10,
      });
      expect(answer.body).toMatchObject({
        status: 'succeeded',
        attempts: 1,
        output: { json: { city: 'Paris', celsius: 21 } },
        usage: { promptTokens: 230, completionTokens: 22 },
      });
      expect(fake.requests).toHaveLength(2);
      const repair = fake.requests[1].body.messages as { role: string; content: string }[];
      expect(repair.at(-2)).toEqual({ role: 'assistant', content: '{"city":"Paris"}' });
      expect(repair.at(-1)!.content).toContain("must have required property 'celsius'");

      const { events } = await readEventStream(streamUrl(answer.body.id), apiKey);
      expect(events.find((e) => e.event === 'reset')!.data).toMatchObject({ reason: 'repair' });
      expect(textOf(events)).toBe('{"city":"Paris","celsius":21}');
    });

    it('fails with invalid_output when the repaired answer is still invalid, usage kept', async () => {
      fake.when((r) => r.prompt.includes('so-invalid'), {
        kind: 'reply',
        text: 'It is sunny in Paris.',
        promptTokens: 40,
        completionTokens: 6,
      });
      const answer = await submit(openaiAgent, 'so-invalid', { responseFormat: weather, wait: 10 });
      expect(answer.body).toMatchObject({
        status: 'failed',
        attempts: 1,
        output: null,
        error: { code: 'invalid_output' },
        usage: { promptTokens: 80, completionTokens: 12 },
      });
      expect(answer.body.error.message).toContain('not JSON');
      expect(fake.requests).toHaveLength(2);
      const stats = await stack.http.get(`/v1/agents/${openaiAgent}/stats`, apiKey);
      expect(stats.body.failedExecutions).toBeGreaterThanOrEqual(1);
    });

    it('uses the agent’s response format in Anthropic’s native mode', async () => {
      const agent = await stack.http.patch(
        `/v1/agents/${anthropicAgent}`,
        { responseFormat: weather, stream: false },
        apiKey,
      );
      expect(agent.body).toMatchObject({ responseFormat: weather, stream: false });
      fake.when((r) => r.prompt.includes('so-anthropic'), {
        kind: 'reply',
        text: '{"city":"Oslo","celsius":-3}',
      });
      const answer = await submit(anthropicAgent, 'so-anthropic', { wait: 10 });
      expect(answer.body).toMatchObject({
        status: 'succeeded',
        output: { json: { city: 'Oslo', celsius: -3 } },
      });
      expect(fake.requests[0].body.output_config).toEqual({
        format: { type: 'json_schema', schema: weather.schema },
      });
      await stack.http.patch(
        `/v1/agents/${anthropicAgent}`,
        { responseFormat: null, stream: true },
        apiKey,
      );
    });

    it('refuses a schema that is not a JSON Schema with a 400 naming the field', async () => {
      const broken = {
        ...weather,
        schema: { type: 'object', properties: { a: { type: 'nope' } } },
      };
      const submission = await submit(openaiAgent, 'so-broken', { responseFormat: broken });
      expect(submission.status).toBe(400);
      expect(JSON.stringify(submission.body.error)).toContain('responseFormat.schema');
      const agent = await stack.http.patch(
        `/v1/agents/${openaiAgent}`,
        { responseFormat: { ...weather, name: 'has spaces' } },
        apiKey,
      );
      expect(agent.status).toBe(400);
      expect(JSON.stringify(agent.body.error)).toContain('responseFormat.name');
      expect(fake.requests).toHaveLength(0);
    });
  });

  describe('accounting', () => {
    it('keeps the rollups equal to the executions, repair calls included', async () => {
      expect(await findAccountingDrift(stack.db)).toEqual({
        lifetime: [],
        daily: [],
        attribution: [],
      });
    });
  });
});

describe('a streamed execution whose worker is killed mid-stream', () => {
  const FAST_STALL = { WORKER_LOCK_DURATION_MS: '2000', WORKER_STALLED_INTERVAL_MS: '1000' };
  let stack: TestStack;
  let fake: FakeProviderServer;

  beforeAll(async () => {
    fake = new FakeProviderServer();
    await fake.start();
    stack = await startTestStack({ env: FAST_STALL });
  });

  afterAll(async () => {
    await stack?.stop();
    await fake?.stop();
  });

  it('resets and streams the next attempt from the start to a client that stayed connected', async () => {
    const setup = await setUpAgent(stack, {
      provider: {
        name: 'openai',
        type: 'openai',
        apiKey: 'sk-test-0002',
        baseUrl: `${fake.url}/v1`,
      },
      agent: { llmConfig: { model: 'gpt-4o-mini' }, stream: true },
    });
    const apiKey = setup.tenant.apiKey;
    const words = ['one', ' two', ' three', ' four', ' five', ' six', ' seven', ' eight'];
    fake.setDefault({ kind: 'reply', chunks: words, text: words.join(''), chunkDelayMs: 300 });
    const worker = startProcess('dist/apps/worker/src/main.js', {
      DATABASE_URL: stack.database.url,
      REDIS_URL: stack.config.redis.url,
      QUEUE_PREFIX: stack.config.redis.prefix,
      AGENTQ_ADMIN_TOKEN: stack.adminToken,
      AGENTQ_MASTER_KEY: stack.config.masterKeys.current,
      NODE_ENV: 'test',
      METRICS_PORT: '0',
      ...FAST_STALL,
    });
    await worker.waitForOutput(/running with concurrency/, 45_000);
    const submitted = await stack.http.post(
      `/v1/agents/${setup.agentId}/executions`,
      { input: { message: 'killed mid-stream' } },
      apiKey,
    );
    const url = `${stack.http.baseUrl}/v1/executions/${submitted.body.id}/stream`;
    const live = readEventStream(url, apiKey, { timeoutMs: 40_000 });
    await waitFor(
      async () => (await readEventStream(url, apiKey, { until: (e) => e.length >= 2 })).events,
      'two deltas',
    );
    worker.child.kill('SIGKILL');
    await worker.exited;
    await stack.startWorker(FAST_STALL);

    const { events } = await live;
    const done = await waitForTerminal(stack, apiKey, submitted.body.id);
    expect(done).toMatchObject({
      status: 'succeeded',
      attempts: 2,
      output: { text: words.join('') },
    });
    const reset = events.findIndex((e) => e.event === 'reset');
    expect(reset).toBeGreaterThanOrEqual(2);
    expect(events.slice(0, reset).every((e) => e.data.attempt === 1)).toBe(true);
    expect(events[reset].data).toMatchObject({ attempt: 2, reason: 'retry' });
    expect(textOf(events)).toBe(done.output.text);
    expect(events.at(-1)!.event).toBe('succeeded');
  });
});
