import { FakeProviderServer, findAccountingDrift, findStepUsageDrift } from '@agentq/testing';
import { waitFor, waitForTerminal } from './support/scenario';
import { startTestStack, TestStack, TestTenant } from './support/test-stack';

/**
 * Reruns beyond a single execution (issue 29): a plan task's rerun inside its running plan (or
 * standalone once the plan ended), the key a rerun is charged to, and every bulk filter.
 */
describe('the agent loop: reruns of plan tasks, attribution, bulk filters', () => {
  let stack: TestStack;
  let fake: FakeProviderServer;
  const wires = [['OpenAI'], ['Anthropic']] as const;

  beforeAll(async () => {
    fake = new FakeProviderServer();
    await fake.start();
    stack = await startTestStack({ workers: 1, env: { WORKER_CONCURRENCY: '10' } });
  });

  afterAll(async () => {
    await stack.stop();
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

  const marked = (marker: string) => (r: { prompt: string }) => r.prompt.includes(marker);

  // A tenant with one agent on the fake provider, over the given wire format.
  async function tenantWithAgent(
    wire: 'OpenAI' | 'Anthropic' = 'OpenAI',
    extra: Record<string, unknown> = {},
  ) {
    const tenant = await stack.createTenant();
    const provider = await stack.http.post(
      '/v1/providers',
      wire === 'OpenAI'
        ? { name: 'p', type: 'openai', apiKey: 'sk-test-0001', baseUrl: `${fake.url}/v1` }
        : { name: 'p', type: 'anthropic', apiKey: 'sk-ant-test-0001', baseUrl: fake.url },
      tenant.apiKey,
    );
    expect(provider.status).toBe(201);
    const agent = await stack.http.post(
      '/v1/agents',
      {
        name: 'a',
        role: 'r',
        providerId: provider.body.id,
        llmConfig: { model: wire === 'OpenAI' ? 'gpt-4o-mini' : 'claude-haiku-4-5' },
        ...extra,
      },
      tenant.apiKey,
    );
    expect(agent.status).toBe(201);
    return { tenant, agentId: agent.body.id as string, providerId: provider.body.id as string };
  }

  const plan = async (tenant: TestTenant, id: string) =>
    (await stack.http.get(`/v1/plans/${id}`, tenant.apiKey)).body;
  const task = (body: any, key: string) => body.tasks.find((t: any) => t.key === key);

  describe('a plan task', () => {
    it.each(wires)(
      'over %s, a failed task reruns inside its running plan: the task points at the rerun, its dependents run, the plan succeeds',
      async (wire) => {
        const marker = `plan-rerun-${wire}`;
        const { tenant, agentId } = await tenantWithAgent(wire);
        let release!: () => void;
        const held = new Promise<void>((resolve) => (release = resolve));
        fake
          .when(marked(`${marker} A`), { kind: 'error', status: 400 }, { times: 1 })
          .when(marked(`${marker} A`), { kind: 'reply', text: 'facts' })
          .when(marked(`${marker} C`), { kind: 'held', until: held });
        const created = await stack.http.post(
          '/v1/plans',
          {
            title: marker,
            failurePolicy: 'continue',
            tags: ['planned'],
            tasks: [
              { key: 'A', agentId, input: { message: `${marker} A` } },
              {
                key: 'B',
                agentId,
                dependsOn: ['A'],
                input: { message: `${marker} B from {{tasks.A.output.text}}` },
              },
              { key: 'D', agentId, dependsOn: ['B'], input: { message: `${marker} D` } },
              { key: 'C', agentId, input: { message: `${marker} C` } },
            ],
          },
          tenant.apiKey,
        );
        expect(created.status).toBe(202);
        const failedPlan = await waitFor(async () => {
          const body = await plan(tenant, created.body.id);
          return task(body, 'A').status === 'failed' && task(body, 'D').status === 'skipped'
            ? body
            : undefined;
        }, 'task A to fail and its dependents to be skipped');
        expect(failedPlan.status).toBe('running');
        const failedId = task(failedPlan, 'A').executionId;

        const rerun = await stack.http.post(`/v1/executions/${failedId}/rerun`, {}, tenant.apiKey);
        expect(rerun.status).toBe(201);
        expect(rerun.body).toMatchObject({ rerunOf: failedId, tags: ['planned'] });
        const moved = await plan(tenant, created.body.id);
        expect(task(moved, 'A')).toMatchObject({ executionId: rerun.body.id });
        expect(['queued', 'running', 'succeeded']).toContain(task(moved, 'A').status);

        const bRan = await waitFor(async () => {
          const body = await plan(tenant, created.body.id);
          return task(body, 'D').status === 'succeeded' ? body : undefined;
        }, 'the dependents to run after the rerun');
        expect(bRan.status).toBe('running');
        const bInput = await stack.http.get(
          `/v1/executions/${task(bRan, 'B').executionId}`,
          tenant.apiKey,
        );
        expect(bInput.body.input.message).toBe(`${marker} B from facts`);
        release();
        const ended = await waitFor(async () => {
          const body = await plan(tenant, created.body.id);
          return body.status !== 'running' ? body : undefined;
        }, 'the plan to end');
        expect(ended.status).toBe('succeeded');
        expect(ended.progress).toMatchObject({ total: 4, succeeded: 4 });
        const original = await stack.http.get(`/v1/executions/${failedId}`, tenant.apiKey);
        expect(original.body.status).toBe('failed');
        // The plan's usage counts its tasks' current executions.
        expect(ended.usage.promptTokens).toBeGreaterThan(0);
      },
    );

    it('once the plan ended, a task reruns standalone and the plan stays as it was', async () => {
      const marker = 'plan-standalone';
      const { tenant, agentId } = await tenantWithAgent();
      fake
        .when(marked(`${marker} A`), { kind: 'error', status: 400 }, { times: 1 })
        .when(marked(`${marker} A`), { kind: 'reply', text: 'later' });
      const created = await stack.http.post(
        '/v1/plans',
        {
          title: marker,
          failurePolicy: 'continue',
          tasks: [
            { key: 'A', agentId, input: { message: `${marker} A` } },
            { key: 'B', agentId, dependsOn: ['A'], input: { message: `${marker} B` } },
          ],
        },
        tenant.apiKey,
      );
      const ended = await waitFor(async () => {
        const body = await plan(tenant, created.body.id);
        return body.status !== 'running' ? body : undefined;
      }, 'the plan to fail');
      expect(ended.status).toBe('failed');
      const failedId = task(ended, 'A').executionId;
      const rerun = await stack.http.post(`/v1/executions/${failedId}/rerun`, {}, tenant.apiKey);
      expect(rerun.status).toBe(201);
      expect((await waitForTerminal(stack, tenant.apiKey, rerun.body.id)).status).toBe('succeeded');
      const after = await plan(tenant, created.body.id);
      expect(after.status).toBe('failed');
      expect(task(after, 'A')).toMatchObject({ executionId: failedId, status: 'failed' });
      expect(task(after, 'B').status).toBe('skipped');
    });
  });

  it("charges a rerun to the key that asked, keeping the original's user, tags and metadata", async () => {
    const { tenant, agentId } = await tenantWithAgent();
    const other = await stack.http.post('/v1/api-keys', { name: 'reruns' }, tenant.apiKey);
    expect(other.status).toBe(201);
    fake.when(marked('attributed'), { kind: 'error', status: 400 }, { times: 1 });
    const submitted = await stack.http.post(
      `/v1/agents/${agentId}/executions`,
      {
        input: { message: 'attributed' },
        user: 'user-7',
        tags: ['nightly'],
        metadata: { team: 'red' },
      },
      tenant.apiKey,
    );
    const failed = await waitForTerminal(stack, tenant.apiKey, submitted.body.id);
    expect(failed.status).toBe('failed');
    const rerun = await stack.http.post(`/v1/executions/${failed.id}/rerun`, {}, other.body.key);
    expect(rerun.status).toBe(201);
    const done = await waitForTerminal(stack, tenant.apiKey, rerun.body.id);
    expect(done).toMatchObject({
      status: 'succeeded',
      apiKeyId: other.body.id,
      user: 'user-7',
      tags: ['nightly'],
      metadata: { team: 'red' },
    });
    expect(failed.apiKeyId).not.toBe(other.body.id);
    const bulk = await stack.http.post(
      '/v1/executions/rerun',
      { agentId, status: 'failed' },
      other.body.key,
    );
    expect(bulk.body).toMatchObject({ matched: 1, created: 1 });
    const page = await stack.http.get(`/v1/executions?tag=nightly`, tenant.apiKey);
    const bulkRerun = page.body.data.find(
      (e: any) => e.rerunOf === failed.id && e.id !== rerun.body.id,
    );
    expect(bulkRerun).toMatchObject({ apiKeyId: other.body.id, user: 'user-7' });
    await waitForTerminal(stack, tenant.apiKey, bulkRerun.id);
  });

  it('filters bulk reruns by agent, status, error code, time range and tags', async () => {
    const { tenant, agentId, providerId } = await tenantWithAgent('Anthropic');
    const secondAgent = await stack.http.post(
      '/v1/agents',
      { name: 'b', role: 'r', llmConfig: { model: 'claude-haiku-4-5' }, providerId },
      tenant.apiKey,
    );
    fake.when(marked('bulk-filter-rejected'), { kind: 'error', status: 400 }, { times: 3 });
    fake.when(marked('bulk-filter-down'), { kind: 'error', status: 503 }, { times: 1 });
    const run = async (agent: string, message: string, tags: string[]) => {
      const submitted = await stack.http.post(
        `/v1/agents/${agent}/executions`,
        { input: { message }, tags, maxAttempts: 1 },
        tenant.apiKey,
      );
      expect(submitted.status).toBe(202);
      return waitForTerminal(stack, tenant.apiKey, submitted.body.id);
    };
    const before = new Date(Date.now() - 1_000).toISOString();
    await run(agentId, 'bulk-filter-rejected 1', ['nightly', 'eu']);
    await run(agentId, 'bulk-filter-rejected 2', ['nightly']);
    await run(agentId, 'bulk-filter-down 3', ['nightly', 'eu']);
    await run(agentId, 'bulk-filter-ok 4', ['nightly', 'eu']);
    await run(secondAgent.body.id, 'bulk-filter-rejected 5', ['nightly', 'eu']);
    const after = new Date(Date.now() + 1_000).toISOString();

    const count = async (filter: Record<string, unknown>) => {
      const answer = await stack.http.post(
        '/v1/executions/rerun',
        { ...filter, dryRun: true },
        tenant.apiKey,
      );
      expect(answer.status).toBe(200);
      expect(answer.body.created).toBe(0);
      return answer.body.matched;
    };
    expect(await count({})).toBe(5);
    expect(await count({ agentId })).toBe(4);
    expect(await count({ status: 'failed' })).toBe(4);
    expect(await count({ status: 'succeeded' })).toBe(1);
    expect(await count({ errorCode: 'provider_rejected' })).toBe(3);
    expect(await count({ errorCode: 'provider_unavailable' })).toBe(1);
    expect(await count({ from: before, to: after })).toBe(5);
    expect(await count({ from: after })).toBe(0);
    expect(await count({ to: before })).toBe(0);
    expect(await count({ tag: 'eu' })).toBe(4);
    expect(await count({ tag: ['nightly', 'eu'] })).toBe(4);
    expect(await count({ tag: ['nightly', 'us'] })).toBe(0);
    expect(await count({ agentId, status: 'failed', tag: ['eu'] })).toBe(2);
    expect(await count({ agentId, errorCode: 'provider_rejected', tag: 'eu' })).toBe(1);

    const bad = await stack.http.post(
      '/v1/executions/rerun',
      { tag: ['no spaces'] },
      tenant.apiKey,
    );
    expect(bad.status).toBe(400);
    expect(bad.body.error.details).toEqual([expect.objectContaining({ field: 'tag' })]);
    const tooMany = await stack.http.post(
      '/v1/executions/rerun',
      { tag: Array.from({ length: 11 }, (_, n) => `t${n}`) },
      tenant.apiKey,
    );
    expect(tooMany.status).toBe(400);
    expect(await count({})).toBe(5);

    const rerun = await stack.http.post(
      '/v1/executions/rerun',
      { agentId, errorCode: 'provider_rejected', tag: 'eu' },
      tenant.apiKey,
    );
    expect(rerun.body).toEqual({ matched: 1, more: false, created: 1, dryRun: false });
    const page = await stack.http.get(`/v1/executions?tag=eu&tag=nightly`, tenant.apiKey);
    const reruns = page.body.data.filter((e: any) => e.rerunOf);
    expect(reruns).toHaveLength(1);
    expect((await waitForTerminal(stack, tenant.apiKey, reruns[0].id)).status).toBe('succeeded');
  });

  it.each(wires)(
    "over %s, paces a bulk rerun through the normal queue: the agent's maxConcurrency holds",
    async (wire) => {
      const marker = `bulk-paced-${wire}`;
      const { tenant, agentId } = await tenantWithAgent(wire, { maxConcurrency: 1 });
      fake.when(marked(marker), { kind: 'error', status: 400 }, { times: 4 });
      for (let n = 0; n < 4; n += 1) {
        const submitted = await stack.http.post(
          `/v1/agents/${agentId}/executions`,
          { input: { message: `${marker} ${n}` } },
          tenant.apiKey,
        );
        expect((await waitForTerminal(stack, tenant.apiKey, submitted.body.id)).status).toBe(
          'failed',
        );
      }
      fake.clear();
      fake.when(marked(marker), { kind: 'delay', ms: 200, then: { kind: 'reply', text: 'ok' } });
      const bulk = await stack.http.post('/v1/executions/rerun', { agentId }, tenant.apiKey);
      expect(bulk.body).toEqual({ matched: 4, more: false, created: 4, dryRun: false });
      await waitFor(async () => {
        const page = await stack.http.get(
          `/v1/executions?agentId=${agentId}&status=succeeded`,
          tenant.apiKey,
        );
        return page.body.data.length === 4 || undefined;
      }, 'the four reruns to succeed');
      expect(fake.requests.filter(marked(marker))).toHaveLength(4);
      expect(fake.peakInFlight).toBe(1);
    },
  );
});
