import { setUpAgent, waitForTerminal } from './support/scenario';
import { startTestStack, TestStack } from './support/test-stack';

type Resources = Record<string, string>;

// Which of tenant B's resources a path parameter names, by the path it appears in.
function resourceFor(path: string, parameter: string, b: Resources): string {
  if (parameter === 'agentId') return b.agent;
  if (parameter === 'memoryId') return b.memory;
  if (parameter === 'deliveryId') return b.delivery;
  if (parameter === 'entryId') return b.knowledge;
  if (parameter === 'version') return '1';
  const collection = /^\/v1\/([a-z-]+)\/\{/.exec(path)?.[1];
  const byCollection: Record<string, string> = {
    agents: b.agent,
    providers: b.provider,
    executions: b.execution,
    'api-keys': b.apiKey,
    sessions: b.session,
    schedules: b.schedule,
    webhooks: b.webhook,
    projects: b.project,
    plans: b.plan,
  };
  const id = collection ? byCollection[collection] : undefined;
  if (!id) throw new Error(`the isolation sweep does not know what ${parameter} in ${path} names`);
  return id;
}

// A body that would be accepted if the id were the caller's own, so a 404 is the only no.
const VALID_BODIES: Record<string, unknown> = {
  'POST /v1/agents/{agentId}/executions': { input: { message: 'steal' } },
  'POST /v1/agents/{agentId}/executions/batch': { executions: [{ input: { message: 'steal' } }] },
  'PATCH /v1/agents/{id}': { name: 'stolen' },
  'PATCH /v1/providers/{id}': { name: 'stolen' },
  'POST /v1/executions/{id}/cancel': {},
  'POST /v1/executions/{id}/tool-outputs': { outputs: [{ toolCallId: 'steal', output: 'x' }] },
  'POST /v1/agents/{agentId}/memories': { type: 'context', content: 'steal' },
  'PATCH /v1/agents/{agentId}/memories/{memoryId}': { importance: 3 },
  'POST /v1/sessions/{id}/end': {},
  'POST /v1/agents/{agentId}/schedules': { cron: '0 9 * * 1', input: { message: 'steal' } },
  'PATCH /v1/schedules/{id}': { enabled: false },
  'PATCH /v1/webhooks/{id}': { description: 'stolen' },
  'PATCH /v1/projects/{id}': { name: 'stolen' },
  'POST /v1/plans/{id}/cancel': {},
  'PATCH /v1/knowledge/{entryId}': { title: 'stolen' },
  'POST /v1/knowledge/{entryId}/render': {},
  'POST /v1/executions/{id}/approvals': { decisions: [{ toolCallId: 'steal', approve: true }] },
  'POST /v1/agents/{agentId}/memories/search': { query: 'steal' },
};

describe('tenant isolation', () => {
  let stack: TestStack;
  let a: { apiKey: string };
  let bIds: Resources;
  let bSecrets: string[];

  beforeAll(async () => {
    stack = await startTestStack({ workers: 1 });
    const tenantA = await setUpAgent(stack);
    a = { apiKey: tenantA.tenant.apiKey };
    const tenantB = await setUpAgent(stack, { agent: { name: 'b-secret-agent' } });
    const execution = await stack.http.post(
      `/v1/agents/${tenantB.agentId}/executions`,
      { input: { message: 'b-secret-input' }, wait: 10 },
      tenantB.tenant.apiKey,
    );
    await waitForTerminal(stack, tenantB.tenant.apiKey, execution.body.id);
    const key = await stack.http.post('/v1/api-keys', { name: 'b-key' }, tenantB.tenant.apiKey);
    const session = await stack.http.post(
      '/v1/sessions',
      { title: 'b-secret-session' },
      tenantB.tenant.apiKey,
    );
    const memory = await stack.http.post(
      `/v1/agents/${tenantB.agentId}/memories`,
      { type: 'context', content: 'b-secret-memory' },
      tenantB.tenant.apiKey,
    );
    const schedule = await stack.http.post(
      `/v1/agents/${tenantB.agentId}/schedules`,
      { cron: '0 9 * * 1', input: { message: 'b-secret-schedule' } },
      tenantB.tenant.apiKey,
    );
    const webhook = await stack.http.post(
      '/v1/webhooks',
      { url: 'http://127.0.0.1:9/b-secret-hook', events: ['execution.failed'] },
      tenantB.tenant.apiKey,
    );
    const delivery = await stack.http.post(
      `/v1/webhooks/${webhook.body.id}/test`,
      {},
      tenantB.tenant.apiKey,
    );
    const project = await stack.http.post(
      '/v1/projects',
      { name: 'b-secret-project' },
      tenantB.tenant.apiKey,
    );
    const plan = await stack.http.post(
      '/v1/plans',
      {
        projectId: project.body.id,
        title: 'b-secret-plan',
        tasks: [{ key: 'a', agentId: tenantB.agentId, input: { message: 'b-secret-task' } }],
      },
      tenantB.tenant.apiKey,
    );
    const knowledge = await stack.http.post(
      '/v1/knowledge',
      { type: 'documentation', title: 'b-secret-knowledge', content: 'b-secret-knowledge-text' },
      tenantB.tenant.apiKey,
    );
    bIds = {
      knowledge: knowledge.body.id,
      project: project.body.id,
      plan: plan.body.id,
      schedule: schedule.body.id,
      webhook: webhook.body.id,
      delivery: delivery.body.id,
      session: session.body.id,
      memory: memory.body.id,
      agent: tenantB.agentId,
      provider: tenantB.providerId,
      execution: execution.body.id,
      apiKey: key.body.id,
    };
    bSecrets = [
      ...Object.values(bIds),
      'b-secret-agent',
      'b-secret-input',
      'b-secret-session',
      'b-secret-memory',
      'b-secret-schedule',
      'b-secret-hook',
      'b-secret-project',
      'b-secret-plan',
      'b-secret-task',
      'b-secret-knowledge',
      webhook.body.secret,
    ];
  });

  afterAll(() => stack.stop());

  it('answers 404 to every endpoint called with tenant A’s key on tenant B’s ids', async () => {
    const spec = (await stack.http.get('/docs-json')).body as {
      paths: Record<string, Record<string, unknown>>;
    };
    const calls: { method: string; template: string; path: string }[] = [];
    for (const [template, operations] of Object.entries(spec.paths)) {
      if (!template.startsWith('/v1/') || template.startsWith('/v1/admin/')) continue;
      // Takes no API key: the token is the capability (test/agent-loop.e2e-spec.ts refuses it
      // across tenants and executions).
      if (template.startsWith('/v1/waitpoints/')) continue;
      const parameters = [...template.matchAll(/\{(\w+)\}/g)].map((match) => match[1]);
      if (parameters.length === 0) continue;
      const path = parameters.reduce(
        (built, parameter) =>
          built.replace(`{${parameter}}`, resourceFor(template, parameter, bIds)),
        template,
      );
      for (const method of Object.keys(operations))
        calls.push({ method: method.toUpperCase(), template, path });
    }
    expect(calls.length).toBeGreaterThanOrEqual(10);

    const leaks: string[] = [];
    for (const call of calls) {
      const body = VALID_BODIES[`${call.method} ${call.template}`];
      const answer = await stack.http.request(call.method, call.path, { token: a.apiKey, body });
      const text = typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body);
      const leaked = bSecrets.filter(
        (secret) => text.includes(secret) && !call.path.includes(secret),
      );
      if (answer.status !== 404 || leaked.length > 0) {
        leaks.push(`${call.method} ${call.template} → ${answer.status} ${leaked.join(',')}`);
      }
    }
    console.log(`tenant isolation: ${calls.length} calls, ${leaks.length} leaks`);
    expect(leaks).toEqual([]);
  });

  it('lists none of tenant B’s resources to tenant A', async () => {
    for (const path of [
      '/v1/agents',
      '/v1/providers',
      '/v1/executions',
      '/v1/api-keys',
      '/v1/usage',
      '/v1/sessions',
      '/v1/schedules',
      '/v1/webhooks',
      '/v1/knowledge',
      '/v1/audit-log',
    ]) {
      const answer = await stack.http.get(path, a.apiKey);
      expect(answer.status).toBe(200);
      const text = JSON.stringify(answer.body);
      for (const secret of bSecrets) expect(text).not.toContain(secret);
    }
  });
});
