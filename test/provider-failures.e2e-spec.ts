import { FakeProviderServer, findAccountingDrift } from '@agentq/testing';
import { setUpAgent, waitFor, waitForTerminal } from './support/scenario';
import { startTestStack, TestStack } from './support/test-stack';

// The worker against the real openai and anthropic SDKs, talking to a scripted local server.
describe('provider calls over the OpenAI and Anthropic wire protocols', () => {
  let stack: TestStack;
  let fake: FakeProviderServer;
  let apiKey: string;
  let openaiAgent: string;
  let anthropicAgent: string;

  beforeAll(async () => {
    fake = new FakeProviderServer();
    await fake.start();
    stack = await startTestStack({ workers: 1, env: { WORKER_CONCURRENCY: '20' } });
    const openai = await setUpAgent(stack, {
      provider: {
        name: 'openai',
        type: 'openai',
        apiKey: 'sk-test-openai-0001',
        baseUrl: `${fake.url}/v1`,
      },
      agent: { llmConfig: { model: 'gpt-4o-mini', maxTokens: 64 } },
    });
    apiKey = openai.tenant.apiKey;
    openaiAgent = openai.agentId;
    const anthropicProvider = await stack.http.post(
      '/v1/providers',
      { name: 'anthropic', type: 'anthropic', apiKey: 'sk-ant-test-0001', baseUrl: fake.url },
      apiKey,
    );
    const agent = await stack.http.post(
      '/v1/agents',
      {
        name: 'claude',
        role: 'Reviewer',
        backstory: 'Reads carefully.',
        providerId: anthropicProvider.body.id,
        llmConfig: { model: 'claude-3-5-haiku-latest' },
      },
      apiKey,
    );
    anthropicAgent = agent.body.id;
  });

  afterAll(async () => {
    await stack.stop();
    await fake.stop();
  });

  afterEach(() => fake.clear());

  const submit = (agentId: string, message: string, extra: Record<string, unknown> = {}) =>
    stack.http.post(`/v1/agents/${agentId}/executions`, { input: { message }, ...extra }, apiKey);
  const requestsFor = (marker: string) => fake.requests.filter((r) => r.prompt.includes(marker));

  it('sends the system prompt and records usage and cost from the OpenAI answer', async () => {
    fake.when((r) => r.prompt.includes('usage-check'), {
      kind: 'reply',
      text: 'fine',
      promptTokens: 1_000,
      completionTokens: 500,
    });
    const answer = await submit(openaiAgent, 'usage-check', { wait: 10 });
    expect(answer.body).toMatchObject({
      status: 'succeeded',
      output: { text: 'fine', model: 'gpt-4o-mini' },
      usage: { promptTokens: 1_000, completionTokens: 500, totalTokens: 1_500 },
    });
    expect(Number(answer.body.usage.costUsd)).toBeGreaterThan(0);
    const [request] = requestsFor('usage-check');
    expect(request.headers.authorization).toBe('Bearer sk-test-openai-0001');
    expect(request.prompt).toContain('Test agent');
  });

  it('maps the Anthropic Messages answer, system prompt included', async () => {
    fake.when((r) => r.prompt.includes('anthropic-check'), {
      kind: 'reply',
      text: 'reviewed',
      promptTokens: 40,
      completionTokens: 7,
    });
    const answer = await submit(anthropicAgent, 'anthropic-check', { wait: 10 });
    expect(answer.body).toMatchObject({
      status: 'succeeded',
      output: { text: 'reviewed' },
      usage: { promptTokens: 40, completionTokens: 7 },
    });
    const [request] = requestsFor('anthropic-check');
    expect(request.api).toBe('anthropic');
    // SDK 1.x (API version 2026-10-21) authenticates with a Bearer header.
    expect(request.headers.authorization).toBe('Bearer sk-ant-test-0001');
    expect(JSON.stringify(request.body.system)).toContain('Reads carefully.');
  });

  it.each([
    ['a 500', { kind: 'error', status: 500 }],
    ['a 503', { kind: 'error', status: 503 }],
    ['a connection reset', { kind: 'reset' }],
    ['invalid JSON', { kind: 'invalid-json' }],
  ] as const)('retries after %s and then succeeds', async (_name, fault) => {
    const marker = `transient-${fault.kind}-${'status' in fault ? fault.status : ''}`;
    fake.when((r) => r.prompt.includes(marker), fault, { times: 1 });
    const submitted = await submit(openaiAgent, marker, { maxAttempts: 3 });
    const done = await waitForTerminal(stack, apiKey, submitted.body.id);
    expect(done).toMatchObject({ status: 'succeeded', attempts: 2 });
    expect(requestsFor(marker)).toHaveLength(2);
  });

  it('honours Retry-After on a 429, without using an attempt', async () => {
    fake.when(
      (r) => r.prompt.includes('slow-down'),
      { kind: 'error', status: 429, retryAfterSeconds: 2 },
      { times: 1 },
    );
    const submitted = await submit(openaiAgent, 'slow-down');
    const done = await waitForTerminal(stack, apiKey, submitted.body.id);
    expect(done).toMatchObject({ status: 'succeeded', attempts: 1 });
    expect(requestsFor('slow-down')).toHaveLength(2);
    const waited = new Date(done.startedAt).getTime() - new Date(done.queuedAt).getTime();
    expect(waited).toBeGreaterThanOrEqual(1_900);
  });

  it('fails at once on a 400, without retrying', async () => {
    fake.when((r) => r.prompt.includes('bad-request'), {
      kind: 'error',
      status: 400,
      message: 'bad model',
    });
    const submitted = await submit(openaiAgent, 'bad-request', { maxAttempts: 5 });
    const done = await waitForTerminal(stack, apiKey, submitted.body.id);
    expect(done).toMatchObject({
      status: 'failed',
      attempts: 1,
      error: { code: 'provider_rejected' },
    });
    expect(requestsFor('bad-request')).toHaveLength(1);
  });

  it('aborts a hanging call at timeoutMs and fails when attempts run out', async () => {
    fake.when((r) => r.prompt.includes('hangs'), { kind: 'hang' });
    const submitted = await submit(openaiAgent, 'hangs', { timeoutMs: 1_000, maxAttempts: 1 });
    const done = await waitForTerminal(stack, apiKey, submitted.body.id);
    expect(done).toMatchObject({
      status: 'failed',
      attempts: 1,
      error: { code: 'provider_timeout' },
    });
  });

  it('after a mixed run of 600 executions the rollups equal the rows, to the token and the cent', async () => {
    fake.when((r) => r.prompt.includes('mixed-reject'), { kind: 'error', status: 400 });
    // Each flaky execution fails exactly once, then succeeds on its retry.
    const failedOnce = new Set<string>();
    fake.when(
      (r) =>
        r.prompt.includes('mixed-flaky') && !failedOnce.has(r.prompt) && !!failedOnce.add(r.prompt),
      { kind: 'error', status: 500 },
    );
    fake.setDefault({ kind: 'reply', text: 'ok', promptTokens: 123, completionTokens: 45 });
    const echo = await stack.http.post('/v1/providers', { name: 'echo', type: 'echo' }, apiKey);
    const echoAgent = await stack.http.post(
      '/v1/agents',
      { name: 'echo', role: 'Echo', providerId: echo.body.id, llmConfig: { model: 'echo-1' } },
      apiKey,
    );
    const agents = [openaiAgent, anthropicAgent, echoAgent.body.id];
    const kinds = [
      'mixed-ok',
      'mixed-ok',
      'mixed-ok',
      'mixed-flaky',
      'mixed-reject',
      'mixed-cancel',
    ];
    const ids: string[] = [];
    for (const [index, agentId] of agents.entries()) {
      const executions = Array.from({ length: 200 }, (_, i) => ({
        input: { message: `${kinds[i % kinds.length]} #${index}-${i}` },
        priority: 1 + (i % 10),
        maxAttempts: 3,
        delayMs: kinds[i % kinds.length] === 'mixed-cancel' ? 60_000 : undefined,
      }));
      const batch = await stack.http.post(
        `/v1/agents/${agentId}/executions/batch`,
        { executions },
        apiKey,
      );
      expect(batch.status).toBe(202);
      ids.push(...batch.body.data.map((e: { id: string }) => e.id));
    }
    const dataSource = stack.db;
    const toCancel: { id: string }[] = await dataSource.query(
      `SELECT id FROM agent_executions WHERE input->>'message' LIKE 'mixed-cancel%'`,
    );
    for (const { id } of toCancel) {
      expect((await stack.http.post(`/v1/executions/${id}/cancel`, {}, apiKey)).status).toBe(200);
    }
    await waitFor(
      async () => {
        const [{ open }] = await dataSource.query(
          `SELECT count(*)::int AS open FROM agent_executions WHERE id = ANY($1::uuid[]) AND status IN ('queued','running')`,
          [ids],
        );
        return open === 0;
      },
      'the mixed run to finish',
      90_000,
    );
    const [counts] = await dataSource.query(
      `SELECT count(*) FILTER (WHERE status = 'succeeded')::int AS succeeded,
              count(*) FILTER (WHERE status = 'failed')::int AS failed,
              count(*) FILTER (WHERE status = 'cancelled')::int AS cancelled
         FROM agent_executions WHERE id = ANY($1::uuid[])`,
      [ids],
    );
    // Echo answers without the fake server, so only the two SDK agents see its 400s.
    const perAgent = (kind: string) =>
      Array.from({ length: 200 }, (_, i) => kinds[i % kinds.length]).filter((k) => k === kind)
        .length;
    const rejected = 2 * perAgent('mixed-reject');
    const cancelled = 3 * perAgent('mixed-cancel');
    expect(counts).toEqual({ succeeded: 600 - rejected - cancelled, failed: rejected, cancelled });
    expect(await findAccountingDrift(dataSource)).toEqual({
      lifetime: [],
      daily: [],
      attribution: [],
    });

    for (const agentId of agents) {
      const stats = await stack.http.get(`/v1/agents/${agentId}/stats`, apiKey);
      const [truth] = await dataSource.query(
        `SELECT count(*)::int AS total, sum(prompt_tokens + completion_tokens)::int AS tokens,
                sum(cost_usd)::text AS cost
           FROM agent_executions WHERE agent_id = $1 AND status IN ('succeeded','failed','cancelled')`,
        [agentId],
      );
      expect(stats.body).toMatchObject({ totalExecutions: truth.total, totalTokens: truth.tokens });
      expect(stats.body.totalCostUsd).toBe(truth.cost);
    }
  });
});
