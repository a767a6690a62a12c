import { FakeProviderServer } from '@agentq/testing';
import { AgentSetup, setUpAgent, waitFor } from './support/scenario';
import { startTestStack, TestStack } from './support/test-stack';
import { peakOverlap } from './support/peak-overlap';

// Issue #28 point 5: an agent's concurrencyKey with maxConcurrencyPerKey (a slot per key value,
// cluster-wide, parked executions holding no worker slot) and rateLimitPerKey (429 at submission).
describe('per-key fairness: maxConcurrencyPerKey and rateLimitPerKey', () => {
  let stack: TestStack;
  let fake: FakeProviderServer;

  beforeAll(async () => {
    fake = new FakeProviderServer();
    await fake.start();
    // Two workers of four slots: the limit holds across processes, not just inside one.
    stack = await startTestStack({ env: { WORKER_CONCURRENCY: '4' } });
    await stack.startWorker();
    await stack.startWorker();
  }, 120_000);

  afterAll(async () => {
    await stack?.stop();
    await fake?.stop();
  });

  afterEach(() => fake.clear());

  const openaiProvider = (name: string) => ({
    name,
    type: 'openai',
    apiKey: 'sk-test-per-key-0001',
    baseUrl: `${fake.url}/v1`,
  });

  const submit = (setup: AgentSetup, body: Record<string, unknown>) =>
    stack.http.post(`/v1/agents/${setup.agentId}/executions`, body, setup.tenant.apiKey);

  const executionsOf = async (setup: AgentSetup, user: string) =>
    (
      await stack.http.get(
        `/v1/executions?agentId=${setup.agentId}&user=${user}&limit=100`,
        setup.tenant.apiKey,
      )
    ).body.data as { id: string; status: string; attempts: number; completedAt: string }[];

  it('runs at most one execution per user at once while another user’s work proceeds', async () => {
    const latencyMs = 300;
    fake.setDefault({ kind: 'delay', ms: latencyMs });
    const setup = await setUpAgent(stack, {
      provider: openaiProvider('per-user'),
      agent: {
        llmConfig: { model: 'gpt-4o-mini' },
        concurrencyKey: 'user',
        maxConcurrencyPerKey: 1,
      },
    });
    const heavy = 6;
    const light = 3;
    const batch = await stack.http.post(
      `/v1/agents/${setup.agentId}/executions/batch`,
      {
        executions: [
          ...Array.from({ length: heavy }, (_, i) => ({
            input: { message: `heavy-user #${i}` },
            user: 'heavy',
          })),
          ...Array.from({ length: light }, (_, i) => ({
            input: { message: `light-user #${i}` },
            user: 'light',
          })),
        ],
      },
      setup.tenant.apiKey,
    );
    expect(batch.status).toBe(202);

    const lightDone = await waitFor(async () => {
      const rows = await executionsOf(setup, 'light');
      return rows.every((row) => row.status === 'succeeded') && rows;
    }, 'the light user’s executions to succeed');
    // The light user did not wait behind the heavy user's backlog.
    const heavyWhenLightDone = await executionsOf(setup, 'heavy');
    expect(heavyWhenLightDone.filter((row) => row.status === 'succeeded').length).toBeLessThan(
      heavy,
    );
    expect(lightDone).toHaveLength(light);

    const heavyRows = await waitFor(async () => {
      const rows = await executionsOf(setup, 'heavy');
      return rows.every((row) => row.status === 'succeeded') && rows;
    }, 'the heavy user’s executions to succeed');
    // Waiting for a slot uses no attempt.
    expect([...heavyRows, ...lightDone].every((row) => row.attempts === 1)).toBe(true);

    const heavyRequests = requestsWith('heavy-user #');
    const lightRequests = requestsWith('light-user #');
    expect(heavyRequests).toHaveLength(heavy);
    expect(lightRequests).toHaveLength(light);
    expect(peakOverlap(heavyRequests, latencyMs)).toBe(1);
    expect(peakOverlap(lightRequests, latencyMs)).toBe(1);
    // ...and the two users ran side by side.
    expect(peakOverlap([...heavyRequests, ...lightRequests], latencyMs)).toBe(2);
  }, 90_000);

  it('lets executions without a value for the key run unlimited by it', async () => {
    const latencyMs = 300;
    fake.setDefault({ kind: 'delay', ms: latencyMs });
    const setup = await setUpAgent(stack, {
      provider: openaiProvider('per-org'),
      agent: {
        llmConfig: { model: 'gpt-4o-mini' },
        concurrencyKey: 'metadata.org',
        maxConcurrencyPerKey: 1,
      },
    });
    const batch = await stack.http.post(
      `/v1/agents/${setup.agentId}/executions/batch`,
      {
        executions: [
          ...[0, 1, 2].map((i) => ({ input: { message: `org-x #${i}` }, metadata: { org: 'x' } })),
          ...[0, 1, 2].map((i) => ({ input: { message: `no-org #${i}` } })),
        ],
      },
      setup.tenant.apiKey,
    );
    expect(batch.status).toBe(202);
    await waitFor(async () => fake.requests.length >= 6 && true, 'six provider calls', 30_000);
    expect(peakOverlap(requestsWith('org-x #'), latencyMs)).toBe(1);
    expect(peakOverlap(requestsWith('no-org #'), latencyMs)).toBeGreaterThan(1);
  }, 60_000);

  it('answers 429 with Retry-After once a user’s submissions of the minute reach rateLimitPerKey, writing nothing', async () => {
    const setup = await setUpAgent(stack, {
      agent: { concurrencyKey: 'user', rateLimitPerKey: 2 },
    });
    expect((await submit(setup, { input: { message: 'a1' }, user: 'alice' })).status).toBe(202);
    expect((await submit(setup, { input: { message: 'a2' }, user: 'alice' })).status).toBe(202);

    const refused = await submit(setup, { input: { message: 'a3' }, user: 'alice' });
    expect(refused.status).toBe(429);
    expect(refused.body.error.code).toBe('rate_limited');
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(await executionsOf(setup, 'alice')).toHaveLength(2);

    // Another user, and a submission with no user, are not held back.
    expect((await submit(setup, { input: { message: 'b1' }, user: 'bob' })).status).toBe(202);
    expect((await submit(setup, { input: { message: 'none' } })).status).toBe(202);

    // A batch is taken whole or not at all: bob's one left is not written beside alice's refusal.
    const mixed = await stack.http.post(
      `/v1/agents/${setup.agentId}/executions/batch`,
      {
        executions: [
          { input: { message: 'b2' }, user: 'bob' },
          { input: { message: 'a4' }, user: 'alice' },
        ],
      },
      setup.tenant.apiKey,
    );
    expect(mixed.status).toBe(429);
    expect(await executionsOf(setup, 'bob')).toHaveLength(1);
    // ...and its refusal took nothing: bob's second submission of the minute still fits.
    expect((await submit(setup, { input: { message: 'b2' }, user: 'bob' })).status).toBe(202);

    // More for one user than the limit allows in a minute can never fit: a 400, not a 429.
    const tooMany = await stack.http.post(
      `/v1/agents/${setup.agentId}/executions/batch`,
      { executions: [1, 2, 3].map((i) => ({ input: { message: `c${i}` }, user: 'carol' })) },
      setup.tenant.apiKey,
    );
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.error.details[0].field).toBe('executions');
    expect(await executionsOf(setup, 'carol')).toHaveLength(0);
  }, 60_000);

  it('counts another tenant’s users apart, and another tenant cannot use the agent', async () => {
    const first = await setUpAgent(stack, {
      agent: { concurrencyKey: 'user', rateLimitPerKey: 1 },
    });
    const second = await setUpAgent(stack, {
      agent: { concurrencyKey: 'user', rateLimitPerKey: 1 },
    });
    expect((await submit(first, { input: { message: 'x' }, user: 'same' })).status).toBe(202);
    expect((await submit(second, { input: { message: 'x' }, user: 'same' })).status).toBe(202);
    const foreign = await stack.http.post(
      `/v1/agents/${first.agentId}/executions`,
      { input: { message: 'x' }, user: 'other' },
      second.tenant.apiKey,
    );
    expect(foreign.status).toBe(404);
  });

  it('stores, shows, changes and clears the settings, and refuses bad ones naming the field', async () => {
    const setup = await setUpAgent(stack);
    const path = `/v1/agents/${setup.agentId}`;
    const key = setup.tenant.apiKey;
    const set = await stack.http.patch(
      path,
      { concurrencyKey: 'metadata.orgId', maxConcurrencyPerKey: 2, rateLimitPerKey: 30 },
      key,
    );
    expect(set.status).toBe(200);
    expect(set.body).toMatchObject({
      concurrencyKey: 'metadata.orgId',
      maxConcurrencyPerKey: 2,
      rateLimitPerKey: 30,
    });

    const refusals: [Record<string, unknown>, string][] = [
      [{ concurrencyKey: 'tag' }, 'concurrencyKey'],
      [{ concurrencyKey: 'metadata.has space' }, 'concurrencyKey'],
      [{ concurrencyKey: null }, 'concurrencyKey'],
      [{ maxConcurrencyPerKey: 0 }, 'maxConcurrencyPerKey'],
      [{ rateLimitPerKey: 1.5 }, 'rateLimitPerKey'],
      [{ rateLimitPerKey: 10_001 }, 'rateLimitPerKey'],
    ];
    for (const [body, field] of refusals) {
      const answer = await stack.http.patch(path, body, key);
      expect({ body, status: answer.status }).toEqual({ body, status: 400 });
      expect(answer.body.error.details.map((d: { field: string }) => d.field)).toContain(field);
    }
    expect((await stack.http.get(path, key)).body).toMatchObject({
      concurrencyKey: 'metadata.orgId',
      maxConcurrencyPerKey: 2,
      rateLimitPerKey: 30,
    });

    const cleared = await stack.http.patch(
      path,
      { concurrencyKey: null, maxConcurrencyPerKey: null, rateLimitPerKey: null },
      key,
    );
    expect(cleared.body).toMatchObject({
      concurrencyKey: null,
      maxConcurrencyPerKey: null,
      rateLimitPerKey: null,
    });

    const before = (await stack.http.get('/v1/agents?limit=100', key)).body.data.length;
    const created = await stack.http.post(
      '/v1/agents',
      { name: 'bad', role: 'r', llmConfig: { model: 'echo-1' }, maxConcurrencyPerKey: 1 },
      key,
    );
    expect(created.status).toBe(400);
    expect(created.body.error.details[0].field).toBe('concurrencyKey');
    expect((await stack.http.get('/v1/agents?limit=100', key)).body.data.length).toBe(before);
  });

  const requestsWith = (marker: string) => fake.requests.filter((r) => r.prompt.includes(marker));
});
