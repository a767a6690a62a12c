import { FakeProviderServer } from '@agentq/testing';
import { AgentSetup, setUpAgent, waitForTerminal } from './support/scenario';
import { startTestStack, TestStack } from './support/test-stack';

const STORED_KEY = 'sk-stored-original-key-0001';

describe('a stored provider key is never sent to a new destination', () => {
  let stack: TestStack;
  const original = new FakeProviderServer();
  const elsewhere = new FakeProviderServer();
  let setup: AgentSetup;

  beforeAll(async () => {
    await Promise.all([original.start(), elsewhere.start()]);
    stack = await startTestStack({ workers: 1 });
    setup = await setUpAgent(stack, {
      provider: {
        type: 'openai-compatible',
        apiKey: STORED_KEY,
        baseUrl: `${original.url}/v1`,
      },
      agent: { llmConfig: { model: 'some-model' } },
    });
  });

  afterAll(async () => {
    await stack.stop();
    await Promise.all([original.stop(), elsewhere.stop()]);
  });

  const provider = () => `/v1/providers/${setup.providerId}`;
  const run = async (message: string) => {
    const answer = await stack.http.post(
      `/v1/agents/${setup.agentId}/executions`,
      { input: { message } },
      setup.tenant.apiKey,
    );
    return waitForTerminal(stack, setup.tenant.apiKey, answer.body.id);
  };

  it('refuses a new baseUrl or type without the apiKey, and changes nothing', async () => {
    expect((await run('before')).status).toBe('succeeded');
    expect(original.requests[0].headers.authorization).toBe(`Bearer ${STORED_KEY}`);

    for (const change of [{ baseUrl: `${elsewhere.url}/v1` }, { type: 'openai' }]) {
      const refused = await stack.http.patch(provider(), change, setup.tenant.apiKey);
      expect(refused.status).toBe(400);
      expect(refused.body.error.code).toBe('validation_failed');
      expect(refused.body.error.details).toEqual([expect.objectContaining({ field: 'apiKey' })]);
    }
    const unchanged = await stack.http.get(provider(), setup.tenant.apiKey);
    expect(unchanged.body).toMatchObject({
      type: 'openai-compatible',
      baseUrl: `${original.url}/v1`,
      apiKeyLast4: '0001',
    });
  });

  it('moves with apiKey null (the stored key is dropped) or a new key, and never sends the old one', async () => {
    const cleared = await stack.http.patch(
      provider(),
      { baseUrl: `${elsewhere.url}/v1`, apiKey: null },
      setup.tenant.apiKey,
    );
    expect(cleared.status).toBe(200);
    expect(cleared.body.apiKeyLast4).toBeNull();
    expect((await run('after clearing')).status).toBe('succeeded');

    const rekeyed = await stack.http.patch(
      provider(),
      { baseUrl: `${elsewhere.url}/v2`, apiKey: 'sk-their-own-key-0002' },
      setup.tenant.apiKey,
    );
    expect(rekeyed.status).toBe(200);
    expect((await run('after a new key')).status).toBe('succeeded');

    expect(elsewhere.requests.map((request) => request.headers.authorization)).toEqual([
      'Bearer no-key',
      'Bearer sk-their-own-key-0002',
    ]);
    expect(JSON.stringify(elsewhere.requests)).not.toContain(STORED_KEY);
    expect(original.requests).toHaveLength(1);
  });
});
