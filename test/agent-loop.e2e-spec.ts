import { randomUUID } from 'node:crypto';
import {
  FakeProviderBehaviour,
  FakeProviderServer,
  findAccountingDrift,
  findStepUsageDrift,
} from '@agentq/testing';
import { setUpAgent, waitFor, waitForTerminal } from './support/scenario';
import { startTestStack, TestStack } from './support/test-stack';
import { startToolServer, ToolServer } from './support/tool-server';
import { startWebhookReceiver, WebhookReceiver } from './support/webhook-receiver';

const OBJECT_SCHEMA = {
  type: 'object',
  properties: { query: { type: 'string' } },
  required: ['query'],
};

// gpt-4o-mini lists at $0.15 / $0.60 per million tokens: 100 prompt + 10 completion tokens cost
// $0.000021. The fake answers in either wire format with whatever model it was asked for.
const STEP = { promptTokens: 100, completionTokens: 10 };
const STEP_COST_NANO = 21_000n;

// claude-haiku-4-5 lists at $1 / $5 per million: the same step costs $0.000150.
const FALLBACK_STEP_COST_NANO = 150_000n;
const PRIMARY = 'gpt-4o-mini';
const FALLBACK = 'claude-haiku-4-5';

/**
 * Agents people can trust in production (issue 29), over both provider wire formats, on one
 * stack: cost caps per execution, fallback chains, approval waitpoints, reruns, guardrails.
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
    stack = await startTestStack({
      workers: 1,
      env: {
        WORKER_CONCURRENCY: '20',
        PROVIDER_FALLBACK_COOLDOWN_MS: '600000',
        RECONCILER_INTERVAL_MS: '300',
        // Guessing waitpoint tokens from one (forwarded) address is blocked after 5 misses.
        AUTH_FAILURE_LIMIT: '5',
        TRUST_PROXY: 'loopback',
      },
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
    expect(await findAccountingDrift(stack.db)).toEqual({
      lifetime: [],
      daily: [],
      attribution: [],
    });
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

  describe('fallback chains', () => {
    const other = { OpenAI: 'Anthropic', Anthropic: 'OpenAI' } as const;
    const byModel =
      (marker: string, model: string) => (r: { prompt: string; model: string | null }) =>
        r.prompt.includes(marker) && r.model === model;

    /** A provider of its own per test: a cooldown of one test does not reach another. */
    async function createProvider(wire: 'OpenAI' | 'Anthropic') {
      const created = await stack.http.post(
        '/v1/providers',
        wire === 'OpenAI'
          ? {
              name: `openai-${Math.random()}`,
              type: 'openai',
              apiKey: 'sk-1',
              baseUrl: `${fake.url}/v1`,
            }
          : {
              name: `anthropic-${Math.random()}`,
              type: 'anthropic',
              apiKey: 'sk-ant-1',
              baseUrl: fake.url,
            },
        apiKey,
      );
      expect(created.status).toBe(201);
      return created.body.id as string;
    }

    async function chainAgent(wire: 'OpenAI' | 'Anthropic', extra: Record<string, unknown> = {}) {
      const primary = await createProvider(wire);
      const fallback = await createProvider(other[wire]);
      const agent = await createAgent(
        {
          llmConfig: {
            model: PRIMARY,
            fallbacks: [{ providerId: fallback, model: FALLBACK }],
            fallbackAfterMs: 2_000,
            callTimeoutMs: 1_000,
          },
          ...extra,
        },
        primary,
      );
      return { agent, primary, fallback };
    }

    it('refuses more than 3 fallbacks (400 naming the field) and an unknown provider (404)', async () => {
      const entry = { providerId: providers.OpenAI, model: 'm' };
      const tooMany = await stack.http.post(
        '/v1/agents',
        {
          name: 'chain',
          role: 'r',
          llmConfig: { model: 'm', fallbacks: [entry, entry, entry, entry] },
        },
        apiKey,
      );
      expect(tooMany.status).toBe(400);
      expect(tooMany.body.error.details.map((d: { field: string }) => d.field)).toEqual([
        'llmConfig.fallbacks',
      ]);
      const unknown = await stack.http.post(
        '/v1/agents',
        {
          name: 'chain',
          role: 'r',
          llmConfig: { model: 'm', fallbacks: [{ ...entry, providerId: randomUUID() }] },
        },
        apiKey,
      );
      expect(unknown.status).toBe(404);
    });

    const retryable: [string, FakeProviderBehaviour][] = [
      ['a 500', { kind: 'error', status: 500 }],
      ['a 503', { kind: 'error', status: 503 }],
      ['a reset connection', { kind: 'reset' }],
      ['a call that hangs past callTimeoutMs', { kind: 'hang' }],
      [
        'a 429 whose Retry-After exceeds fallbackAfterMs',
        { kind: 'error', status: 429, retryAfterSeconds: 60 },
      ],
    ];
    const cases = wires.flatMap(([wire]) =>
      retryable.map(([failure, behaviour]) => [wire, failure, behaviour] as const),
    );

    it.each(cases)(
      'over %s, falls back after %s; the answer is priced by the model that gave it',
      async (wire, failure, behaviour) => {
        const marker = `fallback-${wire}-${failure}`;
        const { agent, primary, fallback } = await chainAgent(wire);
        fake
          .when(byModel(marker, PRIMARY), behaviour)
          .when(byModel(marker, FALLBACK), { kind: 'reply', text: 'from the fallback', ...STEP });
        const done = await waitForTerminal(stack, apiKey, (await submit(agent.id, marker)).body.id);
        expect(done).toMatchObject({
          status: 'succeeded',
          attempts: 1,
          output: {
            text: 'from the fallback',
            model: FALLBACK,
            providerId: fallback,
            fallbackFrom: [
              { providerId: primary, model: PRIMARY, error: { code: expect.any(String) } },
            ],
          },
          usage: { promptTokens: 100, completionTokens: 10 },
        });
        expect(nanoUsd(done.usage.costUsd)).toBe(FALLBACK_STEP_COST_NANO);
        const [step] = await steps(done.id);
        expect(step).toMatchObject({ name: FALLBACK, providerId: fallback });
      },
    );

    it.each(wires)(
      'over %s, passes a cooled-down provider over without calling it, for every execution',
      async (wire) => {
        const marker = `cooldown-${wire}`;
        const { agent, primary } = await chainAgent(wire);
        fake
          .when(byModel(marker, PRIMARY), { kind: 'error', status: 500 })
          .when(byModel(marker, FALLBACK), { kind: 'reply', ...STEP });
        const first = await waitForTerminal(
          stack,
          apiKey,
          (await submit(agent.id, marker)).body.id,
        );
        expect(first.output.fallbackFrom[0].error.code).toBe('provider_unavailable');
        const second = await waitForTerminal(
          stack,
          apiKey,
          (await submit(agent.id, marker)).body.id,
        );
        expect(second.output.fallbackFrom).toEqual([
          expect.objectContaining({
            providerId: primary,
            error: expect.objectContaining({ code: 'provider_cooling_down' }),
          }),
        ]);
        expect(fake.requests.filter(byModel(marker, PRIMARY))).toHaveLength(1);
      },
    );

    it.each(wires.flatMap(([wire]) => [400, 401].map((status) => [wire, status] as const)))(
      'over %s, never falls back from a %s',
      async (wire, status) => {
        const marker = `no-fallback-${wire}-${status}`;
        const { agent } = await chainAgent(wire);
        fake.when(byModel(marker, PRIMARY), { kind: 'error', status });
        const done = await waitForTerminal(stack, apiKey, (await submit(agent.id, marker)).body.id);
        expect(done).toMatchObject({
          status: 'failed',
          error: { code: 'provider_rejected' },
          attempts: 1,
        });
        expect(fake.requests.filter(byModel(marker, FALLBACK))).toHaveLength(0);
      },
    );

    it.each(wires)(
      'over %s, prices a structured-output repair by the model that answered it, not the first',
      async (wire) => {
        const marker = `fallback-repair-${wire}`;
        const { agent, fallback } = await chainAgent(wire);
        fake
          .when(
            byModel(marker, PRIMARY),
            { kind: 'reply', text: 'not json', ...STEP },
            { times: 1 },
          )
          .when(byModel(marker, PRIMARY), { kind: 'error', status: 503 })
          .when(byModel(marker, FALLBACK), { kind: 'reply', text: '{"n": 1}', ...STEP });
        const responseFormat = {
          type: 'json_schema',
          name: 'answer',
          schema: { type: 'object', properties: { n: { type: 'number' } }, required: ['n'] },
        };
        const submitted = await submit(agent.id, marker, { responseFormat });
        const done = await waitForTerminal(stack, apiKey, submitted.body.id);
        expect(done).toMatchObject({
          status: 'succeeded',
          output: { json: { n: 1 }, model: FALLBACK, providerId: fallback },
          usage: { promptTokens: 200, completionTokens: 20 },
        });
        // The first answer is the primary's, the repair the fallback's: each at its own price.
        expect(nanoUsd(done.usage.costUsd)).toBe(STEP_COST_NANO + FALLBACK_STEP_COST_NANO);
        const [step] = await steps(done.id);
        expect(step).toMatchObject({ name: FALLBACK, providerId: fallback });
        expect(nanoUsd(step.usage.costUsd)).toBe(STEP_COST_NANO + FALLBACK_STEP_COST_NANO);
      },
    );

    it.each(wires)(
      'over %s, records on each step of a tool loop the provider that answered it',
      async (wire) => {
        const marker = `fallback-loop-${wire}`;
        const { agent, primary, fallback } = await chainAgent(wire, {
          tools: [httpTool('lookup')],
        });
        fake
          .when(
            byModel(marker, PRIMARY),
            {
              kind: 'tool-calls',
              calls: [{ name: 'lookup', arguments: { query: 'q' } }],
              ...STEP,
            },
            { times: 1 },
          )
          .when(byModel(marker, PRIMARY), { kind: 'error', status: 502 })
          .when(byModel(marker, FALLBACK), { kind: 'reply', text: 'done', ...STEP });
        const done = await waitForTerminal(stack, apiKey, (await submit(agent.id, marker)).body.id);
        expect(done).toMatchObject({
          status: 'succeeded',
          output: { text: 'done', providerId: fallback },
        });
        const all = await steps(done.id);
        expect(all.map((step: any) => [step.type, step.providerId])).toEqual([
          ['model', primary],
          ['tool', null],
          ['model', fallback],
        ]);
        expect(all[2].fallbackFrom).toEqual([
          expect.objectContaining({
            providerId: primary,
            error: expect.objectContaining({ code: 'provider_unavailable' }),
          }),
        ]);
        expect(nanoUsd(done.usage.costUsd)).toBe(STEP_COST_NANO + FALLBACK_STEP_COST_NANO);
      },
    );
  });

  describe('approval waitpoints', () => {
    let receiver: WebhookReceiver;

    beforeAll(async () => {
      receiver = await startWebhookReceiver({ otherwise: 200 });
      const webhook = await stack.http.post(
        '/v1/webhooks',
        { url: receiver.url, events: ['execution.requires_action'] },
        apiKey,
      );
      expect(webhook.status).toBe(201);
    });

    afterAll(() => receiver.close());

    const guarded = () => httpTool('transfer');
    async function approvalAgent(wire: 'OpenAI' | 'Anthropic', marker: string) {
      const agent = await createAgent(
        { tools: [{ ...guarded(), approval: 'always' }, httpTool('lookup')] },
        providers[wire],
      );
      expect(agent.tools[0].approval).toBe('always');
      fake
        .when(
          marked(marker),
          {
            kind: 'tool-calls',
            calls: [
              { name: 'transfer', arguments: { query: `pay ${marker}` } },
              { name: 'lookup', arguments: { query: `look ${marker}` } },
            ],
            ...STEP,
          },
          { times: 1 },
        )
        .when(marked(marker), { kind: 'reply', text: `done ${marker}`, ...STEP });
      return agent;
    }
    const waitForApproval = async (id: string) => {
      const paused = await waitFor(async () => {
        const answer = await stack.http.get(`/v1/executions/${id}`, apiKey);
        return answer.body.status === 'requires_action' ? answer.body : undefined;
      }, `execution ${id} to wait for approval`);
      expect(paused.requiredAction).toMatchObject({
        type: 'approval',
        toolCalls: [{ name: 'transfer' }],
      });
      return paused;
    };
    const toolCallsFor = (marker: string, name: string) =>
      tools.calls.filter(
        (call) => call.body.name === name && JSON.stringify(call.body).includes(marker),
      );

    it('refuses approval on a client tool: 400 naming the field', async () => {
      const refused = await stack.http.post(
        '/v1/agents',
        {
          name: 'bad-approval',
          role: 'r',
          llmConfig: { model: 'm' },
          tools: [{ type: 'client', name: 'c', parameters: OBJECT_SCHEMA, approval: 'always' }],
        },
        apiKey,
      );
      expect(refused.status).toBe(400);
      expect(refused.body.error.details.map((d: { field: string }) => d.field)).toEqual([
        'tools[0].approval',
      ]);
    });

    it.each(wires)(
      'over %s, waits for a person, then runs the approved call by the webhook’s token link, once',
      async (wire) => {
        const marker = `approve-${wire}`;
        const agent = await approvalAgent(wire, marker);
        const submitted = await submit(agent.id, marker);
        const paused = await waitForApproval(submitted.body.id);
        // The call without approval ran; the guarded one did not.
        expect(toolCallsFor(marker, 'lookup')).toHaveLength(1);
        expect(toolCallsFor(marker, 'transfer')).toHaveLength(0);
        const event = await waitFor(
          async () =>
            receiver.received
              .map((delivery) => JSON.parse(delivery.body))
              .find((body) => body.data.id === paused.id),
          'the execution.requires_action webhook',
        );
        expect(event.type).toBe('execution.requires_action');
        const { url, token } = event.data.approval;
        expect(url).toBe(paused.requiredAction.approvalUrl);
        expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
        // The database keeps only the token's hash.
        const [row] = await stack.db.query(
          `SELECT encode(token_hash, 'hex') AS hash FROM execution_waitpoints WHERE execution_id = $1`,
          [paused.id],
        );
        expect(row.hash).not.toContain(Buffer.from(token, 'base64url').toString('hex'));

        const path = new URL(url).pathname;
        const completed = await stack.http.post(path, { approve: true });
        expect(completed.status).toBe(200);
        expect(completed.body).toMatchObject({ executionId: paused.id, status: 'queued' });
        const again = await stack.http.post(path, { approve: false });
        expect(again.status).toBe(409);
        expect(again.body.error.code).toBe('waitpoint_completed');

        const done = await waitForTerminal(stack, apiKey, paused.id);
        expect(done).toMatchObject({ status: 'succeeded', output: { text: `done ${marker}` } });
        expect(toolCallsFor(marker, 'transfer')).toHaveLength(1);
        expect(toolCallsFor(marker, 'lookup')).toHaveLength(1);
        expect(done.attempts).toBe(1);
      },
    );

    it.each(wires)(
      'over %s, tells the model a denied call was denied, by API key, and never calls it',
      async (wire) => {
        const marker = `deny-${wire}`;
        const agent = await approvalAgent(wire, marker);
        const paused = await waitForApproval((await submit(agent.id, marker)).body.id);
        const callId = paused.requiredAction.toolCalls[0].id;
        const mismatch = await stack.http.post(
          `/v1/executions/${paused.id}/approvals`,
          { decisions: [{ toolCallId: 'call_unknown', approve: true }] },
          apiKey,
        );
        expect(mismatch.status).toBe(409);
        const denied = await stack.http.post(
          `/v1/executions/${paused.id}/approvals`,
          { decisions: [{ toolCallId: callId, approve: false, reason: 'too risky' }] },
          apiKey,
        );
        expect(denied.status).toBe(200);
        const done = await waitForTerminal(stack, apiKey, paused.id);
        expect(done.status).toBe('succeeded');
        expect(toolCallsFor(marker, 'transfer')).toHaveLength(0);
        const step = (await steps(done.id)).find((s: any) => s.toolCallId === callId);
        expect(step).toMatchObject({ error: { code: 'approval_denied' } });
        expect(step.result).toContain('too risky');
        const last = fake.requests.filter(marked(marker)).at(-1)!;
        expect(JSON.stringify(last.body.messages)).toContain('denied by a person: too risky');
      },
    );

    it('keeps the wait to its tenant and its deadline; a cancel ends it', async () => {
      const marker = 'approval-limits';
      const agent = await approvalAgent('OpenAI', marker);
      const other = await stack.createTenant();
      const late = await submit(agent.id, marker, { actionTimeoutMs: 1_000 });
      const paused = await waitForApproval(late.body.id);
      const decisions = [{ toolCallId: paused.requiredAction.toolCalls[0].id, approve: true }];
      const foreign = await stack.http.post(
        `/v1/executions/${paused.id}/approvals`,
        { decisions },
        other.apiKey,
      );
      expect(foreign.status).toBe(404);
      await waitFor(
        async () => Date.now() > new Date(paused.actionDeadline).getTime() || undefined,
        'the deadline',
      );
      const tooLate = await stack.http.post(new URL(paused.requiredAction.approvalUrl).pathname, {
        approve: true,
      });
      expect(tooLate.status).toBe(409);
      const expired = await waitForTerminal(stack, apiKey, paused.id);
      expect(expired).toMatchObject({ status: 'failed', error: { code: 'action_timeout' } });

      fake.when(marked('approval-cancel'), {
        kind: 'tool-calls',
        calls: [{ name: 'transfer', arguments: { query: 'x' } }],
        ...STEP,
      });
      const second = await waitForApproval((await submit(agent.id, 'approval-cancel')).body.id);
      const cancelled = await stack.http.post(`/v1/executions/${second.id}/cancel`, {}, apiKey);
      expect(cancelled.body.status).toBe('cancelled');
      const after = await stack.http.post(new URL(second.requiredAction.approvalUrl).pathname, {
        approve: true,
      });
      expect(after.status).toBe(409);
      expect(toolCallsFor(marker, 'transfer')).toHaveLength(0);
    });

    it('cannot be guessed: unknown tokens are 404, then 429 from that address', async () => {
      const from = { 'x-forwarded-for': '198.51.100.77' };
      const guess = (token: string) =>
        stack.http.request('POST', `/v1/waitpoints/${token}/complete`, {
          body: { approve: true },
          headers: from,
        });
      const statuses: number[] = [];
      for (let i = 0; i < 7; i += 1) {
        statuses.push((await guess(randomBytesToken(i))).status);
      }
      expect(statuses).toEqual([404, 404, 404, 404, 404, 429, 429]);
      expect((await guess('short')).status).toBe(429);
    });
  });

  describe('reruns', () => {
    async function failedLoop(wire: 'OpenAI' | 'Anthropic', marker: string) {
      const agent = await createAgent({ tools: [httpTool('lookup')] }, providers[wire]);
      fake
        .when(
          marked(marker),
          {
            kind: 'tool-calls',
            calls: [{ name: 'lookup', arguments: { query: marker } }],
            ...STEP,
          },
          { times: 1 },
        )
        .when(marked(marker), { kind: 'error', status: 400 }, { times: 1 })
        .when(marked(marker), { kind: 'reply', text: `fixed ${marker}`, ...STEP });
      const failed = await waitForTerminal(stack, apiKey, (await submit(agent.id, marker)).body.id);
      expect(failed).toMatchObject({ status: 'failed', error: { code: 'provider_rejected' } });
      return { agent, failed };
    }

    it.each(wires)(
      'over %s, reruns from step 2: steps 0-1 reused, not called or charged again',
      async (wire) => {
        const marker = `rerun-${wire}`;
        const { failed } = await failedLoop(wire, marker);
        const lookups = tools.calls.length;
        const rerun = await stack.http.post(
          `/v1/executions/${failed.id}/rerun`,
          { fromStep: 2 },
          apiKey,
        );
        expect(rerun.status).toBe(201);
        expect(rerun.body).toMatchObject({ rerunOf: failed.id, status: 'queued' });
        const done = await waitForTerminal(stack, apiKey, rerun.body.id);
        expect(done).toMatchObject({
          status: 'succeeded',
          output: { text: `fixed ${marker}` },
          usage: { promptTokens: 100, completionTokens: 10 },
        });
        expect(nanoUsd(done.usage.costUsd)).toBe(STEP_COST_NANO);
        expect(tools.calls.length).toBe(lookups);
        const all = await steps(done.id);
        expect(all.map((step: any) => [step.index, step.type, step.reused])).toEqual([
          [0, 'model', true],
          [1, 'tool', true],
          [2, 'model', false],
        ]);
        // The reused step shows what it cost the first run; the rerun's usage leaves it out.
        expect(all[0]).toMatchObject({ usage: { promptTokens: 100, completionTokens: 10 } });
        // The model saw the reused history in its own wire format.
        const last = fake.requests.filter(marked(marker)).at(-1)!;
        expect(JSON.stringify(last.body.messages)).toContain(
          wire === 'OpenAI' ? 'tool_call_id' : 'tool_result',
        );
      },
    );

    it('reruns from scratch with a new input; refuses a step mid-turn, a run not ended, another tenant', async () => {
      const marker = 'rerun-checks';
      const { agent, failed } = await failedLoop('OpenAI', marker);
      const midTurn = await stack.http.post(
        `/v1/executions/${failed.id}/rerun`,
        { fromStep: 1 },
        apiKey,
      );
      expect(midTurn.status).toBe(400);
      expect(midTurn.body.error.details).toEqual([expect.objectContaining({ field: 'fromStep' })]);
      const other = await stack.createTenant();
      const foreign = await stack.http.post(`/v1/executions/${failed.id}/rerun`, {}, other.apiKey);
      expect(foreign.status).toBe(404);

      fake.when(marked('rerun-fresh'), { kind: 'reply', text: 'fresh', ...STEP });
      const fresh = await stack.http.post(
        `/v1/executions/${failed.id}/rerun`,
        { input: { message: 'rerun-fresh' } },
        apiKey,
      );
      expect(fresh.status).toBe(201);
      const done = await waitForTerminal(stack, apiKey, fresh.body.id);
      expect(done).toMatchObject({
        status: 'succeeded',
        rerunOf: failed.id,
        input: { message: 'rerun-fresh' },
      });
      expect((await steps(done.id)).every((step: any) => !step.reused)).toBe(true);

      fake.when(marked('rerun-waiting'), { kind: 'hang' });
      const running = await submit(agent.id, 'rerun-waiting');
      await waitFor(async () => {
        const answer = await stack.http.get(`/v1/executions/${running.body.id}`, apiKey);
        return answer.body.status === 'running' || undefined;
      }, 'the execution to run');
      const notEnded = await stack.http.post(`/v1/executions/${running.body.id}/rerun`, {}, apiKey);
      expect(notEnded.status).toBe(409);
      expect(notEnded.body.error.code).toBe('not_terminal');
      await stack.http.post(`/v1/executions/${running.body.id}/cancel`, {}, apiKey);
    });

    it('reruns in bulk by filter: a dry run counts, at most limit per call, each linked', async () => {
      const agent = await createAgent({}, providers.Anthropic);
      fake.when(marked('bulk-down'), { kind: 'error', status: 503 }, { times: 3 });
      const failed = await Promise.all(
        [1, 2, 3].map(async (n) => {
          const submitted = await submit(agent.id, `bulk-down ${n}`, { maxAttempts: 1 });
          return waitForTerminal(stack, apiKey, submitted.body.id);
        }),
      );
      expect(failed.map((execution) => execution.error.code)).toEqual(
        Array(3).fill('provider_unavailable'),
      );
      fake.when(marked('bulk-ok'), { kind: 'reply', ...STEP });
      await waitForTerminal(stack, apiKey, (await submit(agent.id, 'bulk-ok')).body.id);

      const filter = { agentId: agent.id, errorCode: 'provider_unavailable' };
      const dry = await stack.http.post(
        '/v1/executions/rerun',
        { ...filter, dryRun: true },
        apiKey,
      );
      expect(dry.body).toEqual({ matched: 3, more: false, created: 0, dryRun: true });
      const tooMany = await stack.http.post(
        '/v1/executions/rerun',
        { ...filter, limit: 10_001 },
        apiKey,
      );
      expect(tooMany.status).toBe(400);
      const firstTwo = await stack.http.post(
        '/v1/executions/rerun',
        { ...filter, limit: 2 },
        apiKey,
      );
      expect(firstTwo.body).toEqual({ matched: 2, more: true, created: 2, dryRun: false });
      fake.when(marked('bulk-down'), { kind: 'reply', text: 'up again', ...STEP });
      const reruns = await waitFor(async () => {
        const page = await stack.http.get(
          `/v1/executions?agentId=${agent.id}&status=succeeded`,
          apiKey,
        );
        const linked = page.body.data.filter((execution: any) => execution.rerunOf);
        return linked.length === 2 ? linked : undefined;
      }, 'the two reruns to succeed');
      // Oldest first as the database orders them: submissions coalesced into one insert share
      // their created_at (to the microsecond), and the id breaks the tie.
      const oldest: { id: string }[] = await stack.db.query(
        `SELECT id FROM agent_executions WHERE id = ANY($1::uuid[]) ORDER BY created_at, id LIMIT 2`,
        [failed.map((execution) => execution.id)],
      );
      expect(reruns.map((execution: any) => execution.rerunOf).sort()).toEqual(
        oldest.map((row) => row.id).sort(),
      );
    });
  });

  describe('guardrails', () => {
    beforeAll(() => {
      // The guard refuses inputs that mention "forbidden" and outputs that mention "secret".
      tools.answer((call) => {
        const { input, output } = call.body.arguments as { input?: unknown; output?: string };
        if (input !== undefined) {
          const allow = !JSON.stringify(input).includes('forbidden');
          return { body: JSON.stringify(allow ? { allow } : { allow, reason: 'off-topic' }) };
        }
        if (output !== undefined) {
          const allow = !output.includes('secret');
          return { body: JSON.stringify(allow ? { allow } : { allow, reason: 'leaks a secret' }) };
        }
        return { body: '{"ok":true}' };
      });
    });

    it('refuses a guard that is not an http tool of the agent: 400 naming the field', async () => {
      const refused = await stack.http.post(
        '/v1/agents',
        { name: 'bad-guard', role: 'r', llmConfig: { model: 'm' }, inputGuard: 'nope' },
        apiKey,
      );
      expect(refused.status).toBe(400);
      expect(refused.body.error.details.map((d: { field: string }) => d.field)).toEqual([
        'inputGuard',
      ]);
    });

    it.each(wires)(
      'over %s, refuses an input before any model call and an output before it is stored',
      async (wire) => {
        const agent = await createAgent(
          { tools: [httpTool('moderate')], inputGuard: 'moderate', outputGuard: 'moderate' },
          providers[wire],
        );
        const marker = `guard-${wire}`;
        fake.when(marked(`${marker} leak`), { kind: 'reply', text: 'the secret is 42', ...STEP });
        fake.when(marked(marker), { kind: 'reply', text: 'all fine', ...STEP });

        const input = await waitForTerminal(
          stack,
          apiKey,
          (await submit(agent.id, `${marker} forbidden`)).body.id,
        );
        expect(input).toMatchObject({
          status: 'failed',
          error: { code: 'guardrail_refused', message: 'the input guard refused: off-topic' },
          usage: { totalTokens: 0 },
        });
        expect(fake.requests.filter(marked(`${marker} forbidden`))).toHaveLength(0);

        const output = await waitForTerminal(
          stack,
          apiKey,
          (await submit(agent.id, `${marker} leak`)).body.id,
        );
        expect(output).toMatchObject({
          status: 'failed',
          output: null,
          error: { code: 'guardrail_refused', message: 'the output guard refused: leaks a secret' },
          usage: { promptTokens: 100, completionTokens: 10 },
        });

        const fine = await waitForTerminal(stack, apiKey, (await submit(agent.id, marker)).body.id);
        expect(fine).toMatchObject({ status: 'succeeded', output: { text: 'all fine' } });
        // The guard is not a tool the model is offered.
        const sent = fake.requests.filter(marked(marker)).at(-1)!;
        expect(JSON.stringify(sent.body)).not.toContain('moderate');
        const guarded = tools.calls.filter((call) => call.body.executionId === fine.id);
        expect(guarded.map((call) => call.body.toolCallId).sort()).toEqual([
          'guard_input',
          'guard_output',
        ]);
        expect(guarded.every((call) => call.signatureValid)).toBe(true);
      },
    );
  });
});

/** A well-formed token that no waitpoint has. */
function randomBytesToken(seed: number): string {
  return Buffer.alloc(32, seed + 1).toString('base64url');
}
