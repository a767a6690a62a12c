import { FakeProviderServer, findAccountingDrift, findStepUsageDrift } from '@agentq/testing';
import { setUpAgent, waitForTerminal } from './support/scenario';
import { startTestStack, TestStack } from './support/test-stack';
import { startToolServer, ToolServer } from './support/tool-server';

const OBJECT_SCHEMA = {
  type: 'object',
  properties: { query: { type: 'string' } },
  required: ['query'],
};

// gpt-4o-mini lists at $0.15 / $0.60 per million tokens: 100 prompt + 10 completion tokens cost
// $0.000021. The fake answers in either wire format with whatever model it was asked for.
const STEP = { promptTokens: 100, completionTokens: 10 };
const STEP_COST_NANO = 21_000n;

/**
 * Agents people can trust in production (issue 29), over both provider wire formats, on one
 * stack: cost caps per execution.
 */
describe('the agent loop: caps', () => {
  let stack: TestStack;
  let fake: FakeProviderServer;
  let tools: ToolServer;
  let apiKey: string;
  const providers: Record<'OpenAI' | 'Anthropic', string> = { OpenAI: '', Anthropic: '' };
  const wires = [['OpenAI'], ['Anthropic']] as const;

  beforeAll(async () => {
    fake = new FakeProviderServer();
    await fake.start();
    tools = await startToolServer();
    stack = await startTestStack({ workers: 1, env: { WORKER_CONCURRENCY: '20' } });
    const setup = await setUpAgent(stack, {
      provider: {
        name: 'openai',
        type: 'openai',
        apiKey: 'sk-test-0001',
        baseUrl: `${fake.url}/v1`,
      },
    });
    apiKey = setup.tenant.apiKey;
    providers.OpenAI = setup.providerId;
    const anthropic = await stack.http.post(
      '/v1/providers',
      { name: 'anthropic', type: 'anthropic', apiKey: 'sk-ant-test-0001', baseUrl: fake.url },
      apiKey,
    );
    providers.Anthropic = anthropic.body.id;
    const rotated = await stack.http.post('/v1/tool-signing-secret/rotate', {}, apiKey);
    tools.secret = rotated.body.secret;
    tools.answer(() => ({ body: '{"ok":true}' }));
  });

  afterAll(async () => {
    await stack.stop();
    await tools.close();
    await fake.stop();
  });

  afterEach(async () => {
    expect(await findAccountingDrift(stack.db)).toEqual({ lifetime: [], daily: [] });
    expect(await findStepUsageDrift(stack.db)).toEqual([]);
  });

  async function createAgent(extra: Record<string, unknown>, providerId: string) {
    const agent = await stack.http.post(
      '/v1/agents',
      {
        name: `agent-${Math.random().toString(36).slice(2)}`,
        role: 'Careful agent',
        providerId,
        llmConfig: { model: 'gpt-4o-mini' },
        ...extra,
      },
      apiKey,
    );
    expect(agent.status).toBe(201);
    return agent.body;
  }
  const httpTool = (name: string) => ({
    type: 'http',
    name,
    description: `the ${name} tool`,
    parameters: OBJECT_SCHEMA,
    url: `${tools.url}/${name}`,
  });
  const submit = (agentId: string, message: string, extra: Record<string, unknown> = {}) =>
    stack.http.post(`/v1/agents/${agentId}/executions`, { input: { message }, ...extra }, apiKey);
  const steps = async (id: string) =>
    (await stack.http.get(`/v1/executions/${id}/steps`, apiKey)).body;
  const marked = (marker: string) => (r: { prompt: string }) => r.prompt.includes(marker);
  const nanoUsd = (usd: string) => {
    const [whole, fraction = ''] = usd.split('.');
    return BigInt(whole) * 1_000_000_000n + BigInt(fraction.padEnd(9, '0'));
  };

  it('refuses a cap that is not a positive amount: 400 naming the field, nothing written', async () => {
    const agent = await createAgent({}, providers.OpenAI);
    for (const body of [{ maxCostUsd: '0' }, { maxCostUsd: 'lots' }, { maxTokens: 0 }]) {
      const refused = await submit(agent.id, 'never run', body);
      expect(refused.status).toBe(400);
      const fields = refused.body.error.details.map((detail: { field: string }) => detail.field);
      expect(fields).toEqual(Object.keys(body));
    }
    const badAgent = await stack.http.post(
      '/v1/agents',
      { name: 'bad-cap', role: 'r', llmConfig: { model: 'm' }, maxCostUsd: '0.000' },
      apiKey,
    );
    expect(badAgent.status).toBe(400);
    const listed = await stack.http.get(`/v1/executions?agentId=${agent.id}`, apiKey);
    expect(listed.body.data).toEqual([]);
  });

  it.each(wires)(
    'stops a tool loop at maxCostUsd before the call that would pass it, over %s',
    async (wire) => {
      const marker = `cost-cap-${wire}`;
      const agent = await createAgent({ tools: [httpTool('lookup')] }, providers[wire]);
      fake.when(marked(marker), {
        kind: 'tool-calls',
        calls: [{ name: 'lookup', arguments: { query: 'more' } }],
        ...STEP,
      });
      const cap = `0.${(2n * STEP_COST_NANO).toString().padStart(9, '0')}`;
      const submitted = await submit(agent.id, marker, { maxCostUsd: cap });
      expect(submitted.body.maxCostUsd).toBe(cap);
      const done = await waitForTerminal(stack, apiKey, submitted.body.id);
      expect(done).toMatchObject({
        status: 'failed',
        error: { code: 'cost_limit_exceeded' },
        usage: { promptTokens: 200, completionTokens: 20 },
      });
      // Two steps reach the cap exactly; the third call is never made.
      expect(nanoUsd(done.usage.costUsd)).toBe(2n * STEP_COST_NANO);
      expect(fake.requests.filter(marked(marker))).toHaveLength(2);
      const all = await steps(done.id);
      expect(all.map((step: any) => step.type)).toEqual(['model', 'tool', 'model', 'tool']);
    },
  );

  it.each(wires)(
    "fails the step that goes past the agent's maxTokens, usage exact, over %s",
    async (wire) => {
      const marker = `token-cap-${wire}`;
      const agent = await createAgent(
        { tools: [httpTool('lookup')], maxTokens: 250 },
        providers[wire],
      );
      expect(agent.maxTokens).toBe(250);
      fake.when(marked(marker), {
        kind: 'tool-calls',
        calls: [{ name: 'lookup', arguments: { query: 'more' } }],
        ...STEP,
      });
      const done = await waitForTerminal(stack, apiKey, (await submit(agent.id, marker)).body.id);
      expect(done).toMatchObject({
        status: 'failed',
        maxTokens: 250,
        error: { code: 'cost_limit_exceeded' },
        usage: { promptTokens: 300, completionTokens: 30, totalTokens: 330 },
      });
      expect(nanoUsd(done.usage.costUsd)).toBe(3n * STEP_COST_NANO);
      // The third step went past the cap: its tool calls never ran.
      expect((await steps(done.id)).map((step: any) => step.type)).toEqual([
        'model',
        'tool',
        'model',
        'tool',
        'model',
      ]);
    },
  );

  it('charges a single answer over the cap and fails it; a submission may raise the cap', async () => {
    const marker = 'single-answer-cap';
    const agent = await createAgent({ maxTokens: 50 }, providers.OpenAI);
    fake.when(marked(marker), { kind: 'reply', text: 'a long answer', ...STEP });
    const capped = await waitForTerminal(stack, apiKey, (await submit(agent.id, marker)).body.id);
    expect(capped).toMatchObject({
      status: 'failed',
      output: null,
      error: { code: 'cost_limit_exceeded' },
      usage: { promptTokens: 100, completionTokens: 10 },
    });
    expect(nanoUsd(capped.usage.costUsd)).toBe(STEP_COST_NANO);
    const raised = await submit(agent.id, marker, { maxTokens: 1_000 });
    const done = await waitForTerminal(stack, apiKey, raised.body.id);
    expect(done).toMatchObject({ status: 'succeeded', maxTokens: 1_000 });
  });
});
