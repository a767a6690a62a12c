import { AgentSetup, setUpAgent, waitFor } from './support/scenario';
import { startTestStack, TestStack } from './support/test-stack';
import { webhookReceivers } from './support/webhook-receiver';

// Issue #28's smaller gaps: PATCH for an API key's budgets, schedule firings checked against
// end-user and key budgets like submissions, and audit entries for secret rotations.
describe('attribution: key budgets, schedule budgets and rotation audits', () => {
  let stack: TestStack;
  let setup: AgentSetup;
  const startReceiver = webhookReceivers();

  beforeAll(async () => {
    stack = await startTestStack({
      env: { SCHEDULES_ALLOW_SECONDS: 'true', SCHEDULE_TICK_MS: '200' },
    });
    await stack.startWorker();
    setup = await setUpAgent(stack);
  }, 120_000);

  afterAll(() => stack?.stop());

  const audit = async (query: string, token = setup.tenant.apiKey) =>
    (await stack.http.get(`/v1/audit-log?${query}`, token)).body.data as {
      action: string;
      target: { type: string; id: string };
      diff: Record<string, { from?: unknown; to?: unknown }>;
    }[];

  it('changes a key’s name and budgets with PATCH, audited, and refuses bad input naming the field', async () => {
    const created = await stack.http.post(
      '/v1/api-keys',
      { name: 'mobile', budgetDailyUsd: '5' },
      setup.tenant.apiKey,
    );
    expect(created.status).toBe(201);
    const path = `/v1/api-keys/${created.body.id}`;

    const changed = await stack.http.patch(
      path,
      { name: 'mobile app', budgetDailyUsd: null, budgetMonthlyUsd: '100' },
      setup.tenant.apiKey,
    );
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({
      id: created.body.id,
      name: 'mobile app',
      budgetDailyUsd: null,
      budgetMonthlyUsd: '100.000000000',
    });
    expect(changed.body).not.toHaveProperty('key');
    const [entry] = await audit(`action=api_key.updated&targetId=${created.body.id}`);
    expect(entry.diff).toMatchObject({
      name: { from: 'mobile', to: 'mobile app' },
      budgetDailyUsd: { from: '5.000000000', to: null },
    });

    for (const [body, field] of [
      [{ budgetDailyUsd: 'lots' }, 'budgetDailyUsd'],
      [{ budgetMonthlyUsd: '-1' }, 'budgetMonthlyUsd'],
      [{ name: '' }, 'name'],
      [{ scopes: ['read'] }, 'scopes'],
    ] as const) {
      const answer = await stack.http.patch(path, body, setup.tenant.apiKey);
      expect({ body, status: answer.status }).toEqual({ body, status: 400 });
      expect(JSON.stringify(answer.body.error)).toContain(field);
    }
    const keys = (await stack.http.get('/v1/api-keys', setup.tenant.apiKey)).body.data;
    expect(keys.find((k: { id: string }) => k.id === created.body.id)).toMatchObject({
      name: 'mobile app',
      budgetMonthlyUsd: '100.000000000',
    });

    const other = await stack.createTenant('other');
    expect((await stack.http.patch(path, { name: 'x' }, other.apiKey)).status).toBe(404);
    expect(
      (await stack.http.patch('/v1/api-keys/not-a-uuid', { name: 'x' }, setup.tenant.apiKey))
        .status,
    ).toBe(404);
  });

  it('skips a schedule’s firing once the budget of its key is spent, as a submission would be refused', async () => {
    const spentKey = await stack.http.post(
      '/v1/api-keys',
      { name: 'spent', budgetDailyUsd: '0' },
      setup.tenant.apiKey,
    );
    const submitted = await stack.http.post(
      `/v1/agents/${setup.agentId}/executions`,
      { input: { message: 'x' } },
      spentKey.body.key,
    );
    expect(submitted.status).toBe(402);
    const schedule = await stack.http.post(
      `/v1/agents/${setup.agentId}/schedules`,
      { cron: '* * * * * *', input: { message: 'tick' } },
      spentKey.body.key,
    );
    expect(schedule.status).toBe(201);
    const firing = await waitFor(async () => {
      const list = (
        await stack.http.get(`/v1/schedules/${schedule.body.id}/firings`, setup.tenant.apiKey)
      ).body.data as { outcome: string; reason: string | null }[];
      return list.find((f) => f.outcome === 'skipped');
    }, 'a skipped firing');
    expect(firing.reason).toMatch(/^budget_exceeded: this API key's daily budget/);
    await stack.http.delete(`/v1/schedules/${schedule.body.id}`, setup.tenant.apiKey);
  });

  it('skips a schedule’s firing once its end user’s budget is spent', async () => {
    const tenant = await setUpAgent(stack);
    await stack.http.patch(
      `/v1/admin/tenants/${tenant.tenant.id}`,
      { endUserBudgetDailyUsd: '0' },
      stack.adminToken,
    );
    const schedule = await stack.http.post(
      `/v1/agents/${tenant.agentId}/schedules`,
      { cron: '* * * * * *', input: { message: 'tick' }, user: 'user-9' },
      tenant.tenant.apiKey,
    );
    expect(schedule.status).toBe(201);
    const firing = await waitFor(async () => {
      const list = (
        await stack.http.get(`/v1/schedules/${schedule.body.id}/firings`, tenant.tenant.apiKey)
      ).body.data as { outcome: string; reason: string | null }[];
      return list.find((f) => f.outcome === 'skipped');
    }, 'a skipped firing');
    expect(firing.reason).toMatch(/^budget_exceeded: end user "user-9"'s daily budget/);
    await stack.http.delete(`/v1/schedules/${schedule.body.id}`, tenant.tenant.apiKey);
  });

  it('audits webhook and tool signing secret rotations without the secrets', async () => {
    const receiver = await startReceiver();
    const webhook = await stack.http.post(
      '/v1/webhooks',
      { url: receiver.url, events: ['execution.succeeded'] },
      setup.tenant.apiKey,
    );
    expect(webhook.status).toBe(201);
    const rotated = await stack.http.post(
      `/v1/webhooks/${webhook.body.id}/rotate-secret`,
      {},
      setup.tenant.apiKey,
    );
    expect(rotated.status).toBe(200);
    const [webhookEntry] = await audit(`action=webhook.secret_rotated`);
    expect(webhookEntry.target).toEqual({ type: 'webhook', id: webhook.body.id });
    expect(webhookEntry.diff.secret_ciphertext).toEqual({ from: '[redacted]', to: '[redacted]' });
    expect(JSON.stringify(webhookEntry)).not.toContain(rotated.body.secret);

    const toolSecret = await stack.http.post(
      '/v1/tool-signing-secret/rotate',
      {},
      setup.tenant.apiKey,
    );
    expect(toolSecret.status).toBe(201);
    const [toolEntry] = await audit('action=tool_signing_secret.rotated');
    expect(toolEntry.target).toEqual({ type: 'tool_signing_secret', id: setup.tenant.id });
    expect(toolEntry.diff.last4).toEqual({ to: toolSecret.body.last4 });
    expect(JSON.stringify(toolEntry)).not.toContain(toolSecret.body.secret);
  });

  it('audits project and knowledge entry writes, without the entry content', async () => {
    const key = setup.tenant.apiKey;
    const project = await stack.http.post('/v1/projects', { name: 'launch' }, key);
    expect(project.status).toBe(201);
    await stack.http.patch(`/v1/projects/${project.body.id}`, { name: 'launch v2' }, key);
    expect((await stack.http.delete(`/v1/projects/${project.body.id}`, key)).status).toBe(204);
    const projectActions = (await audit(`targetId=${project.body.id}`)).map((e) => e.action);
    expect(projectActions.sort()).toEqual([
      'project.created',
      'project.deleted',
      'project.updated',
    ]);
    const [renamed] = await audit(`action=project.updated&targetId=${project.body.id}`);
    expect(renamed.diff.name).toEqual({ from: 'launch', to: 'launch v2' });

    const entry = await stack.http.post(
      '/v1/knowledge',
      { type: 'documentation', title: 'Backups', content: 'the secret runbook text' },
      key,
    );
    expect(entry.status).toBe(201);
    await stack.http.patch(`/v1/knowledge/${entry.body.id}`, { title: 'Backups 2' }, key);
    await stack.http.delete(`/v1/knowledge/${entry.body.id}`, key);
    const entries = await audit(`targetType=knowledge_entry&targetId=${entry.body.id}`);
    expect(entries.map((e) => e.action).sort()).toEqual([
      'knowledge_entry.created',
      'knowledge_entry.deleted',
      'knowledge_entry.updated',
    ]);
    expect(JSON.stringify(entries)).not.toContain('the secret runbook text');
  });
});
