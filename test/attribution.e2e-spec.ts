import { readEventStream } from './support/sse-client';
import { AgentSetup, setUpAgent, waitFor, waitForTerminal } from './support/scenario';
import { startTestStack, TestStack } from './support/test-stack';
import { startWebhookReceiver, WebhookReceiver } from './support/webhook-receiver';

// Who ran what (issue #28, points 1 and 2): attribution on every execution and the list's
// filters by it, through the public API only.
describe('attribution: API key, end user, tags and metadata on every execution', () => {
  let stack: TestStack;
  let setup: AgentSetup;
  let other: AgentSetup;
  let receiver: WebhookReceiver;
  let key: { id: string; key: string };
  let secondAgentId: string;

  beforeAll(async () => {
    receiver = await startWebhookReceiver({ otherwise: 200 });
    stack = await startTestStack({ workers: 1 });
    // Priced, so every execution costs something and the usage sums are worth checking.
    setup = await setUpAgent(stack, {
      provider: { pricing: { 'echo-1': { inputPerMillion: '1.5', outputPerMillion: '6' } } },
    });
    other = await setUpAgent(stack);
    // A second key of the tenant, so the test knows the id the API must record.
    const created = await stack.http.post('/v1/api-keys', { name: 'billing' }, setup.tenant.apiKey);
    key = { id: created.body.id, key: created.body.key };
    const second = await stack.http.post(
      '/v1/agents',
      { name: 'second', role: 'Second', llmConfig: { model: 'echo-1' } },
      key.key,
    );
    secondAgentId = second.body.id;
    const webhook = await stack.http.post(
      '/v1/webhooks',
      { url: receiver.url, events: ['execution.succeeded'] },
      key.key,
    );
    expect(webhook.status).toBe(201);
  });

  afterAll(async () => {
    await stack.stop();
    await receiver.close();
  });

  const submit = (body: Record<string, unknown>, agentId = setup.agentId, token = key.key) =>
    stack.http.post(`/v1/agents/${agentId}/executions`, body, token);
  const list = (query: string, token = key.key) => stack.http.get(`/v1/executions?${query}`, token);
  const executionCount = async () =>
    Number((await stack.db.query(`SELECT count(*) AS n FROM agent_executions`))[0].n);
  const fieldsOf = (answer: { body: { error?: { details?: { field: string }[] } } }) =>
    (answer.body.error?.details ?? []).map((detail) => detail.field);

  it('records the authenticating key, user, tags and metadata, and shows them everywhere', async () => {
    const submitted = await submit({
      input: { message: 'attributed' },
      user: 'user-123',
      tags: ['invoice-7781', 'team:billing', 'invoice-7781'],
      metadata: { orderId: 'A-1', count: 3 },
    });
    expect(submitted.status).toBe(202);
    expect(submitted.body).toMatchObject({
      apiKeyId: key.id,
      user: 'user-123',
      tags: ['invoice-7781', 'team:billing'],
      metadata: { orderId: 'A-1', count: 3 },
    });
    const execution = await waitForTerminal(stack, key.key, submitted.body.id);
    expect(execution).toMatchObject({ status: 'succeeded', apiKeyId: key.id, user: 'user-123' });

    // The SSE snapshot (first event) carries it.
    const stream = await readEventStream(
      `${stack.http.baseUrl}/v1/executions/${submitted.body.id}/events`,
      key.key,
    );
    expect(stream.events[0].data.attribution).toEqual({
      apiKeyId: key.id,
      user: 'user-123',
      tags: ['invoice-7781', 'team:billing'],
      metadata: { orderId: 'A-1', count: 3 },
    });

    // So does the webhook's payload.
    const delivery = await waitFor(
      async () =>
        receiver.received
          .map((d) => JSON.parse(d.body))
          .find((event) => event.data.id === submitted.body.id),
      'the execution.succeeded delivery',
    );
    expect(delivery.data).toMatchObject({ apiKeyId: key.id, user: 'user-123' });

    // Without attribution: the key only, empty tags and metadata.
    const plain = await submit({ input: { message: 'plain' } });
    expect(plain.body).toMatchObject({ apiKeyId: key.id, user: null, tags: [], metadata: {} });
  });

  it('takes attribution per item of a batch', async () => {
    const batch = await stack.http.post(
      `/v1/agents/${setup.agentId}/executions/batch`,
      {
        executions: [
          { input: { message: 'b1' }, user: 'batch-user-1', tags: ['batch'] },
          { input: { message: 'b2' }, user: 'batch-user-2', metadata: { n: 'two' } },
        ],
      },
      key.key,
    );
    expect(batch.status).toBe(202);
    expect(batch.body.data.map((e: { user: string }) => e.user)).toEqual([
      'batch-user-1',
      'batch-user-2',
    ]);
    expect(batch.body.data[0]).toMatchObject({ apiKeyId: key.id, tags: ['batch'] });
    expect(batch.body.data[1]).toMatchObject({ metadata: { n: 'two' } });
  });

  it('refuses bad attribution with 400 naming the field, and writes nothing', async () => {
    const before = await executionCount();
    const cases: [Record<string, unknown>, string][] = [
      [{ user: 'u'.repeat(257) }, 'user'],
      [{ user: 42 }, 'user'],
      [{ tags: ['has space'] }, 'tags'],
      [{ tags: Array.from({ length: 11 }, (_, i) => `t${i}`) }, 'tags'],
      [{ tags: ['t'.repeat(65)] }, 'tags'],
      [{ tags: 'not-a-list' }, 'tags'],
      [{ metadata: ['not', 'an', 'object'] }, 'metadata'],
      [{ metadata: { big: 'x'.repeat(8 * 1024) } }, 'metadata'],
      // The key comes from authentication, never from the body.
      [{ apiKeyId: key.id }, 'apiKeyId'],
    ];
    for (const [fields, field] of cases) {
      const answer = await submit({ input: { message: 'refused' }, ...fields });
      expect([answer.status, fieldsOf(answer)]).toEqual([400, [field]]);
    }
    const batch = await stack.http.post(
      `/v1/agents/${setup.agentId}/executions/batch`,
      {
        executions: [
          { input: { message: 'fine' } },
          { input: { message: 'bad' }, tags: ['no spaces please'] },
        ],
      },
      key.key,
    );
    expect([batch.status, fieldsOf(batch)]).toEqual([400, ['executions.1.tags']]);
    const plan = await stack.http.post(
      '/v1/plans',
      {
        title: 'bad',
        user: '',
        tasks: [{ key: 'a', agentId: setup.agentId, input: { message: 'x' } }],
      },
      key.key,
    );
    expect([plan.status, fieldsOf(plan)]).toEqual([400, ['user']]);
    const schedule = await stack.http.post(
      `/v1/agents/${setup.agentId}/schedules`,
      { cron: '0 * * * *', input: { message: 'x' }, metadata: 'text' },
      key.key,
    );
    expect([schedule.status, fieldsOf(schedule)]).toEqual([400, ['metadata']]);
    expect(await executionCount()).toBe(before);
  });

  it('passes attribution on to handoffs, plan tasks and schedule firings', async () => {
    const attribution = { user: 'inherit-user', tags: ['inherited'], metadata: { via: 'parent' } };
    const parent = await submit({
      input: { message: 'hand me on' },
      handoffTo: secondAgentId,
      ...attribution,
    });
    expect(parent.status).toBe(202);
    const child = await waitFor(async () => {
      const page = await list(`agentId=${secondAgentId}&tag=inherited`);
      return page.body.data.find(
        (e: { parentExecutionId: string }) => e.parentExecutionId === parent.body.id,
      );
    }, 'the handoff execution');
    expect(child).toMatchObject({ apiKeyId: key.id, ...attribution });

    const plan = await stack.http.post(
      '/v1/plans',
      {
        title: 'attributed plan',
        user: 'plan-user',
        tags: ['plan'],
        metadata: { project: 'p1' },
        tasks: [
          { key: 'a', agentId: setup.agentId, input: { message: 'task a' } },
          { key: 'b', agentId: setup.agentId, input: { message: 'task b' }, dependsOn: ['a'] },
        ],
      },
      key.key,
    );
    expect(plan.status).toBe(202);
    const tasks = await waitFor(async () => {
      const page = await list('user=plan-user');
      return page.body.data.length === 2 && page.body.data;
    }, 'both plan tasks');
    for (const task of tasks) {
      expect(task).toMatchObject({
        apiKeyId: key.id,
        tags: ['plan'],
        metadata: { project: 'p1' },
      });
    }

    const schedule = await stack.http.post(
      `/v1/agents/${setup.agentId}/schedules`,
      {
        cron: '0 0 1 1 *',
        input: { message: 'scheduled' },
        user: 'cron-user',
        tags: ['nightly'],
        metadata: { job: 'report' },
      },
      key.key,
    );
    expect(schedule.status).toBe(201);
    expect(schedule.body).toMatchObject({ apiKeyId: key.id, user: 'cron-user', tags: ['nightly'] });
    const fired = await stack.http.post(`/v1/schedules/${schedule.body.id}/trigger`, {}, key.key);
    expect(fired.status).toBeLessThan(300);
    const [firing] = (await list('user=cron-user')).body.data;
    expect(firing).toMatchObject({
      apiKeyId: key.id,
      tags: ['nightly'],
      metadata: { job: 'report' },
    });
  });

  describe('GET /v1/executions filters', () => {
    beforeAll(async () => {
      const bodies = [
        { user: 'alice', tags: ['red', 'big'], metadata: { region: 'eu', tier: 1 } },
        { user: 'alice', tags: ['red'], metadata: { region: 'us' } },
        { user: 'bob', tags: ['big'], metadata: { region: 'eu' } },
      ];
      for (const body of bodies) {
        expect((await submit({ input: { message: 'filtered' }, ...body })).status).toBe(202);
      }
      // Another tenant's executions with the same user, tag and metadata: never listed here.
      const theirs = await submit(
        { input: { message: 'theirs' }, user: 'alice', tags: ['red'], metadata: { region: 'eu' } },
        other.agentId,
        other.tenant.apiKey,
      );
      expect(theirs.status).toBe(202);
    });

    const users = (answer: { body: { data: { user: string }[] } }) =>
      answer.body.data.map((e) => e.user);

    it('filters by user, key, tags (all of them) and top-level metadata, newest first', async () => {
      expect(users(await list('user=alice'))).toEqual(['alice', 'alice']);
      expect(users(await list('tag=red'))).toEqual(['alice', 'alice']);
      expect(users(await list('tag=red&tag=big'))).toEqual(['alice']);
      expect(users(await list('metadata.region=eu'))).toEqual(['bob', 'alice']);
      expect(users(await list('metadata[region]=eu&user=alice'))).toEqual(['alice']);
      // The text matches the JSON number it spells.
      expect(users(await list('metadata.tier=1'))).toEqual(['alice']);
      expect(users(await list(`user=bob&agentId=${setup.agentId}&tag=big`))).toEqual(['bob']);
      const byKey = await list(`apiKeyId=${key.id}&user=alice`);
      expect(byKey.body.data.every((e: { apiKeyId: string }) => e.apiKeyId === key.id)).toBe(true);
      expect(users(await list(`apiKeyId=${key.id}&user=alice`))).toHaveLength(2);
      // The tenant's first key submitted none of them.
      const firstKeyId = (await stack.http.get('/v1/api-keys', key.key)).body.data.find(
        (k: { id: string }) => k.id !== key.id,
      ).id;
      expect(users(await list(`apiKeyId=${firstKeyId}&user=alice`))).toEqual([]);
    });

    it('pages through a filter with the cursor', async () => {
      const first = await list('user=alice&limit=1');
      expect(first.body.data).toHaveLength(1);
      expect(first.body.nextCursor).not.toBeNull();
      const second = await list(`user=alice&limit=1&cursor=${first.body.nextCursor}`);
      expect(second.body.data).toHaveLength(1);
      expect(second.body.data[0].id).not.toBe(first.body.data[0].id);
      expect(second.body.nextCursor).toBeNull();
    });

    it('refuses a bad filter with 400 naming it', async () => {
      const cases: [string, string][] = [
        ['tag=has%20space', 'tag'],
        [`tag=${'t'.repeat(65)}`, 'tag'],
        ['apiKeyId=not-a-uuid', 'apiKeyId'],
        [`user=${'u'.repeat(257)}`, 'user'],
        ['metadata.region=eu&metadata.region=us', 'metadata'],
        ['metadata=eu', 'metadata'],
        ['owner=me', 'owner'],
      ];
      for (const [query, field] of cases) {
        const answer = await list(query);
        expect([query, answer.status, fieldsOf(answer)]).toEqual([query, 400, [field]]);
      }
    });

    it("never shows another tenant's executions through any filter", async () => {
      const token = other.tenant.apiKey;
      expect(users(await list('user=alice', token))).toEqual(['alice']);
      expect(users(await list('user=bob', token))).toEqual([]);
      expect(users(await list('tag=big', token))).toEqual([]);
      expect(users(await list('metadata.tier=1', token))).toEqual([]);
      expect(users(await list(`apiKeyId=${key.id}`, token))).toEqual([]);
      const mine = (await list('user=bob')).body.data[0];
      expect((await stack.http.get(`/v1/executions/${mine.id}`, token)).status).toBe(404);
    });
  });

  describe('GET /v1/usage by who ran it', () => {
    // USD decimal strings (9 places) summed exactly, as nano-dollars.
    const nanos = (usd: string) => {
      const [whole, fraction = ''] = usd.split('.');
      return BigInt(whole) * 1_000_000_000n + BigInt(fraction.padEnd(9, '0').slice(0, 9));
    };
    const usage = (query: string, token = key.key) => stack.http.get(`/v1/usage?${query}`, token);
    const finished = async (query: string) => {
      const executions: { status: string; usage: { costUsd: string } }[] = [];
      let cursor: string | null = null;
      do {
        const page = await list(`${query}&limit=100${cursor ? `&cursor=${cursor}` : ''}`);
        executions.push(...page.body.data);
        cursor = page.body.nextCursor;
      } while (cursor);
      return executions;
    };
    const totalOf = (executions: { usage: { costUsd: string } }[]) =>
      executions.reduce((sum, e) => sum + nanos(e.usage.costUsd), 0n);

    beforeAll(async () => {
      // Everything submitted so far has ended, so the rollups are complete.
      await waitFor(async () => {
        const open = await stack.db.query(
          `SELECT count(*)::int AS n FROM agent_executions
            WHERE status NOT IN ('succeeded', 'failed', 'cancelled')`,
        );
        return open[0].n === 0;
      }, 'every execution to end');
    });

    it('sums cost per user, key and tag exactly, pairs included', async () => {
      const byUser = (await usage('groupBy=user')).body.data;
      const alice = byUser.find((row: { user: string }) => row.user === 'alice');
      const aliceRuns = await finished('user=alice');
      expect(alice.executions).toBe(aliceRuns.length);
      expect(nanos(alice.costUsd)).toBe(totalOf(aliceRuns));
      expect(nanos(alice.costUsd)).toBeGreaterThan(0n);

      // An execution with two tags counts in both groups; each tag's sum is its executions'.
      const byTag = (await usage('groupBy=tag')).body.data;
      for (const tag of ['red', 'big']) {
        const row = byTag.find((r: { tag: string }) => r.tag === tag);
        expect(nanos(row.costUsd)).toBe(totalOf(await finished(`tag=${tag}`)));
      }

      const pairs = (await usage('groupBy=apiKey,model')).body.data;
      const mine = pairs.find((r: { apiKeyId: string }) => r.apiKeyId === key.id);
      expect(mine.model).toBe('echo-1');
      expect(nanos(mine.costUsd)).toBe(totalOf(await finished(`apiKeyId=${key.id}`)));

      const userDay = (await usage('groupBy=user,day&user=alice')).body.data;
      expect(userDay.map((r: { user: string }) => r.user)).toEqual(['alice']);
      expect(userDay[0].day).toMatch(/^\d{4}-\d{2}-\d{2}$/);

      // Without attribution groupings, the totals are the same from either rollup.
      const all = (await usage('groupBy=day')).body.data;
      const allByUser = (await usage('groupBy=day,user')).body.data;
      const sum = (rows: { costUsd: string }[]) => rows.reduce((t, r) => t + nanos(r.costUsd), 0n);
      expect(sum(allByUser)).toBe(sum(all));
    });

    it('keeps the spend of a deleted agent and of a revoked key', async () => {
      const extraKey = await stack.http.post('/v1/api-keys', { name: 'short-lived' }, key.key);
      const agent = await stack.http.post(
        '/v1/agents',
        { name: 'doomed', role: 'Doomed', llmConfig: { model: 'echo-1' } },
        extraKey.body.key,
      );
      const run = await submit(
        { input: { message: 'spend then go' }, user: 'leaving-user', wait: 10 },
        agent.body.id,
        extraKey.body.key,
      );
      expect(run.body.status).toBe('succeeded');
      const before = (await usage('groupBy=user&user=leaving-user')).body.data[0];
      expect(nanos(before.costUsd)).toBe(nanos(run.body.usage.costUsd));

      expect((await stack.http.delete(`/v1/agents/${agent.body.id}`, key.key)).status).toBe(204);
      expect((await stack.http.delete(`/v1/api-keys/${extraKey.body.id}`, key.key)).status).toBe(
        204,
      );
      expect((await usage('groupBy=user&user=leaving-user')).body.data).toEqual([before]);
      const byKey = (await usage(`groupBy=apiKey&apiKeyId=${extraKey.body.id}`)).body.data;
      expect(byKey.map((r: { costUsd: string }) => r.costUsd)).toEqual([before.costUsd]);
    });

    it('refuses bad groupings and filters with 400 naming them', async () => {
      const cases: [string, string][] = [
        ['groupBy=owner', 'groupBy'],
        ['groupBy=user,tag,day,model', 'groupBy'],
        ['user=', 'user'],
        ['tag=no%20spaces', 'tag'],
        ['apiKeyId=42', 'apiKeyId'],
      ];
      for (const [query, field] of cases) {
        const answer = await usage(query);
        expect([query, answer.status, fieldsOf(answer)]).toEqual([query, 400, [field]]);
      }
    });

    it("never counts another tenant's usage", async () => {
      const theirs = (await usage('groupBy=user', other.tenant.apiKey)).body.data;
      expect(theirs.map((r: { user: string }) => r.user)).toEqual(['alice']);
      expect((await usage('groupBy=tag&tag=big', other.tenant.apiKey)).body.data).toEqual([]);
      expect(
        (await usage(`groupBy=apiKey&apiKeyId=${key.id}`, other.tenant.apiKey)).body.data,
      ).toEqual([]);
    });
  });

  describe('budgets per API key and per end user', () => {
    let budgeted: AgentSetup;

    beforeAll(async () => {
      // A tenant of its own, so its budgets touch nothing above.
      budgeted = await setUpAgent(stack, {
        provider: { pricing: { 'echo-1': { inputPerMillion: '1.5', outputPerMillion: '6' } } },
      });
    });

    const submitTo = (body: Record<string, unknown>, token: string) =>
      stack.http.post(`/v1/agents/${budgeted.agentId}/executions`, body, token);
    const countOf = async (tenantId: string) =>
      Number(
        (
          await stack.db.query(`SELECT count(*) AS n FROM agent_executions WHERE tenant_id = $1`, [
            tenantId,
          ])
        )[0].n,
      );

    it("holds an API key's budget: queued attempts fail once it is spent, then 402", async () => {
      const limited = await stack.http.post(
        '/v1/api-keys',
        { name: 'limited', budgetDailyUsd: '0.000001' },
        budgeted.tenant.apiKey,
      );
      expect(limited.body).toMatchObject({ budgetDailyUsd: '0.000001' });
      // Five queued at once: the first call reserves the rest of the budget, the others wait
      // for it to settle and then find the budget spent.
      const batch = await stack.http.post(
        `/v1/agents/${budgeted.agentId}/executions/batch`,
        { executions: Array.from({ length: 5 }, (_, i) => ({ input: { message: `b${i}` } })) },
        limited.body.key,
      );
      expect(batch.status).toBe(202);
      const ended = await Promise.all(
        batch.body.data.map((e: { id: string }) =>
          waitForTerminal(stack, budgeted.tenant.apiKey, e.id),
        ),
      );
      expect(ended.filter((e) => e.status === 'succeeded')).toHaveLength(1);
      const failed = ended.filter((e) => e.status === 'failed');
      expect(failed).toHaveLength(4);
      for (const execution of failed) {
        expect(execution.error.code).toBe('budget_exceeded');
        expect(execution.error.message).toContain("the API key's daily budget");
      }

      const before = await countOf(budgeted.tenant.id);
      const refused = await submitTo({ input: { message: 'more' } }, limited.body.key);
      expect(refused.status).toBe(402);
      expect(refused.body.error).toMatchObject({ code: 'budget_exceeded' });
      expect(refused.body.error.message).toContain("this API key's daily budget of 0.000001");
      expect(await countOf(budgeted.tenant.id)).toBe(before);
      // The tenant's other key is not limited.
      expect(
        (await submitTo({ input: { message: 'other key' } }, budgeted.tenant.apiKey)).status,
      ).toBe(202);
    });

    it("holds each end user's budget and names the user; other users go on", async () => {
      const patched = await stack.http.patch(
        `/v1/admin/tenants/${budgeted.tenant.id}`,
        { endUserBudgetDailyUsd: '0.000001' },
        stack.adminToken,
      );
      expect(patched.body).toMatchObject({ endUserBudgetDailyUsd: '0.000001000' });
      const spent = await submitTo(
        { input: { message: 'spend it' }, user: 'spender', wait: 10 },
        budgeted.tenant.apiKey,
      );
      expect(spent.body.status).toBe('succeeded');
      // The API reuses budget settings for up to a second: wait for the refusal.
      const refused = await waitFor(async () => {
        const answer = await submitTo(
          { input: { message: 'again' }, user: 'spender' },
          budgeted.tenant.apiKey,
        );
        return answer.status === 402 && answer;
      }, 'the 402');
      expect(refused.body.error.message).toContain('end user "spender"\'s daily budget');
      const batch = await stack.http.post(
        `/v1/agents/${budgeted.agentId}/executions/batch`,
        {
          executions: [
            { input: { message: 'fine' }, user: 'thrifty' },
            { input: { message: 'not fine' }, user: 'spender' },
          ],
        },
        budgeted.tenant.apiKey,
      );
      expect(batch.status).toBe(402);
      const thrifty = await submitTo(
        { input: { message: 'mine' }, user: 'thrifty' },
        budgeted.tenant.apiKey,
      );
      expect(thrifty.status).toBe(202);
      const plan = await stack.http.post(
        '/v1/plans',
        {
          title: 'over budget',
          user: 'spender',
          tasks: [{ key: 'a', agentId: budgeted.agentId, input: { message: 'x' } }],
        },
        budgeted.tenant.apiKey,
      );
      expect(plan.status).toBe(402);
    });
  });

  describe('the audit log', () => {
    const audit = (query: string, token = key.key) =>
      stack.http.get(`/v1/audit-log?${query}`, token);

    it('records management writes with actor, diff (secrets redacted), request id and address', async () => {
      const provider = await stack.http.post(
        '/v1/providers',
        { name: 'audited', type: 'openai', apiKey: 'sk-audited-secret-0001' },
        key.key,
      );
      expect(provider.status).toBe(201);
      const agent = await stack.http.post(
        '/v1/agents',
        {
          name: 'audited agent',
          role: 'r',
          providerId: provider.body.id,
          llmConfig: { model: 'gpt-4o-mini' },
        },
        key.key,
      );
      const renamed = await stack.http.request('PATCH', `/v1/agents/${agent.body.id}`, {
        token: key.key,
        body: { name: 'renamed agent', budgetDailyUsd: '2.50' },
        headers: { 'x-request-id': 'req-audit-1' },
      });
      expect(renamed.status).toBe(200);
      expect((await stack.http.delete(`/v1/agents/${agent.body.id}`, key.key)).status).toBe(204);
      // Refused writes leave nothing: a provider in use is not deleted, and not logged.
      const inUse = await stack.http.delete(`/v1/providers/${setup.providerId}`, key.key);
      expect(inUse.status).toBe(409);

      const entries = (await audit(`targetId=${agent.body.id}`)).body.data;
      expect(entries.map((e: { action: string }) => e.action)).toEqual([
        'agent.deleted',
        'agent.updated',
        'agent.created',
      ]);
      const updated = entries[1];
      expect(updated).toMatchObject({
        actor: { type: 'api_key', apiKeyId: key.id },
        target: { type: 'agent', id: agent.body.id },
        requestId: 'req-audit-1',
        sourceAddress: expect.stringMatching(/127\.0\.0\.1/),
      });
      expect(updated.diff).toEqual({
        name: { from: 'audited agent', to: 'renamed agent' },
        budgetDailyUsd: { from: null, to: '2.500000000' },
      });

      const [created] = (await audit(`action=provider.created&targetId=${provider.body.id}`)).body
        .data;
      expect(created.diff.apiKeyCiphertext).toEqual({ to: '[redacted]' });
      expect(JSON.stringify(created)).not.toContain('sk-audited-secret-0001');
      expect(
        (await audit(`action=provider.deleted&targetId=${setup.providerId}`)).body.data,
      ).toEqual([]);
    });

    it('shows the admin every tenant, with the admin as actor', async () => {
      await stack.http.patch(
        `/v1/admin/tenants/${other.tenant.id}`,
        { budgetMonthlyUsd: '100' },
        stack.adminToken,
      );
      const page = await stack.http.get(
        `/v1/admin/audit-log?tenantId=${other.tenant.id}&action=tenant.updated`,
        stack.adminToken,
      );
      expect(page.status).toBe(200);
      expect(page.body.data[0]).toMatchObject({
        tenantId: other.tenant.id,
        actor: { type: 'admin', apiKeyId: null },
        diff: { budgetMonthlyUsd: { from: null, to: '100.000000000' } },
      });
      expect((await stack.http.get('/v1/admin/audit-log', key.key)).status).toBe(401);
    });

    it('keeps tenants apart, pages with the cursor and refuses bad filters', async () => {
      const mine = (await audit('targetType=agent')).body.data;
      expect(mine.length).toBeGreaterThan(0);
      const theirs = await audit(`targetId=${mine[0].target.id}`, other.tenant.apiKey);
      expect(theirs.body.data).toEqual([]);
      expect((await audit(`actorApiKeyId=${key.id}`, other.tenant.apiKey)).body.data).toEqual([]);

      const first = await audit('limit=1');
      const second = await audit(`limit=1&cursor=${first.body.nextCursor}`);
      expect(second.body.data[0].id).not.toBe(first.body.data[0].id);

      for (const [query, field] of [
        ['action=Not%20An%20Action', 'action'],
        ['actorApiKeyId=nope', 'actorApiKeyId'],
        ['targetType=a.b', 'targetType'],
      ]) {
        const answer = await audit(query);
        expect([query, answer.status, fieldsOf(answer)]).toEqual([query, 400, [field]]);
      }
    });

    it('is append-only for the application role', async () => {
      const runner = stack.db.createQueryRunner();
      await runner.connect();
      try {
        for (const statement of [
          `UPDATE audit_log SET action = 'forged.entry'`,
          `DELETE FROM audit_log`,
        ]) {
          await runner.startTransaction();
          await runner.query(`SET LOCAL ROLE agentq_app`);
          await runner.query(`SELECT set_config('agentq.tenant_id', $1, true)`, [setup.tenant.id]);
          await expect(runner.query(statement)).rejects.toThrow(/permission denied/);
          await runner.rollbackTransaction();
        }
      } finally {
        await runner.release();
      }
    });
  });
});
