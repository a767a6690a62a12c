import { FakeProviderServer, findAccountingDrift } from '@agentq/testing';
import { AgentSetup, setUpAgent, waitFor } from './support/scenario';
import { startTestStack, TestStack } from './support/test-stack';

type Tasks = () => Record<string, unknown>[];

const TERMINAL_PLAN = ['succeeded', 'failed', 'cancelled'];

describe('plans: a DAG of agent executions', () => {
  let stack: TestStack;
  let fake: FakeProviderServer;
  let setup: AgentSetup;
  let apiKey: string;

  beforeAll(async () => {
    fake = new FakeProviderServer();
    await fake.start();
    for (const key of ['A', 'B', 'C', 'D', 'X', 'Y']) {
      fake.when((r) => r.prompt.includes(`task-${key} `), { kind: 'reply', text: `out-${key}` });
    }
    fake.when((r) => r.prompt.includes('boom'), { kind: 'error', status: 400 });
    fake.when((r) => r.prompt.includes('slow'), { kind: 'delay', ms: 30_000 });
    stack = await startTestStack({ workers: 1, env: { WORKER_CONCURRENCY: '10' } });
    setup = await setUpAgent(stack, {
      provider: { name: 'fake', type: 'openai', apiKey: 'sk-test-0001', baseUrl: `${fake.url}/v1` },
      agent: { llmConfig: { model: 'gpt-4o-mini' } },
    });
    apiKey = setup.tenant.apiKey;
  });

  afterAll(async () => {
    await stack.stop();
    await fake.stop();
  });

  const createPlan = (body: Record<string, unknown>, key = apiKey) =>
    stack.http.post('/v1/plans', body, key);

  const waitForPlan = (id: string, key = apiKey) =>
    waitFor(async () => {
      const answer = await stack.http.get(`/v1/plans/${id}`, key);
      return TERMINAL_PLAN.includes(answer.body.status) ? answer.body : undefined;
    }, `plan ${id} to end`);

  const task = (key: string, dependsOn: string[] = [], message = `task-${key} go`) => ({
    key,
    agentId: setup.agentId,
    input: { message },
    dependsOn,
  });

  const rowCount = async (table: string) =>
    Number((await stack.db.query(`SELECT count(*) AS n FROM ${table}`))[0].n);

  it('runs a diamond once per task, D getting the outputs of B and C', async () => {
    const created = await createPlan({
      title: 'diamond',
      input: { topic: 'cats' },
      tasks: [
        task('A', [], 'task-A about {{plan.input.topic}}'),
        task('B', ['A'], 'task-B from {{tasks.A.output.text}}'),
        task('C', ['A'], 'task-C from {{tasks.A.output.text}}'),
        task('D', ['B', 'C'], 'task-D merge {{tasks.B.output.text}} and {{tasks.C.output.text}}'),
      ],
    });
    expect(created.status).toBe(202);
    expect(created.body).toMatchObject({
      title: 'diamond',
      status: 'running',
      failurePolicy: 'fail_fast',
    });
    expect(created.body.progress.total).toBe(4);
    expect(created.body.tasks.find((t: { key: string }) => t.key === 'D').status).toBe('pending');

    const plan = await waitForPlan(created.body.id);
    expect(plan.status).toBe('succeeded');
    expect(plan.completedAt).not.toBeNull();
    expect(plan.progress).toMatchObject({ total: 4, succeeded: 4, pending: 0 });
    const byKey = Object.fromEntries(plan.tasks.map((t: { key: string }) => [t.key, t]));
    expect(byKey.B.output.text).toBe('out-B');
    const d = await stack.http.get(`/v1/executions/${byKey.D.executionId}`, apiKey);
    expect(d.body.input.message).toBe('task-D merge out-B and out-C');
    const a = await stack.http.get(`/v1/executions/${byKey.A.executionId}`, apiKey);
    expect(a.body.input.message).toBe('task-A about cats');

    const executions = await stack.db.query(
      `SELECT e.id, e.prompt_tokens, e.completion_tokens FROM agent_executions e
         JOIN plan_tasks t ON t.execution_id = e.id WHERE t.plan_id = $1`,
      [plan.id],
    );
    expect(executions).toHaveLength(4);
    const tokens = executions.reduce(
      (sum: number, e: { prompt_tokens: number; completion_tokens: number }) =>
        sum + e.prompt_tokens + e.completion_tokens,
      0,
    );
    expect(plan.usage.totalTokens).toBe(tokens);
    expect(await findAccountingDrift(stack.db)).toEqual({
      daily: [],
      lifetime: [],
      attribution: [],
    });
  });

  it('fail_fast: a failed task fails the plan and skips what is pending', async () => {
    const created = await createPlan({
      title: 'fail fast',
      tasks: [
        task('A', [], 'boom A'),
        task('B', ['A']),
        task('X', [], 'task-X go'),
        task('Y', ['X']),
      ],
    });
    const plan = await waitForPlan(created.body.id);
    expect(plan.status).toBe('failed');
    const byKey = Object.fromEntries(plan.tasks.map((t: { key: string }) => [t.key, t]));
    expect(byKey.A.status).toBe('failed');
    expect(byKey.B.status).toBe('skipped');
    expect(byKey.B.executionId).toBeNull();
  });

  it('continue: only the failed branch is skipped; the other runs on', async () => {
    const created = await createPlan({
      title: 'continue',
      failurePolicy: 'continue',
      tasks: [
        task('A', [], 'boom A'),
        task('B', ['A']),
        task('C', ['B']),
        task('X', [], 'task-X go'),
        task('Y', ['X'], 'task-Y after {{tasks.X.output.text}}'),
      ],
    });
    const plan = await waitForPlan(created.body.id);
    expect(plan.status).toBe('failed');
    const status = Object.fromEntries(
      plan.tasks.map((t: { key: string; status: string }) => [t.key, t.status]),
    );
    expect(status).toEqual({
      A: 'failed',
      B: 'skipped',
      C: 'skipped',
      X: 'succeeded',
      Y: 'succeeded',
    });
    expect(plan.progress).toMatchObject({ failed: 1, skipped: 2, succeeded: 2 });
  });

  it('cancel mid-plan cancels the running task and skips the pending ones', async () => {
    const created = await createPlan({
      title: 'cancel',
      tasks: [task('S', [], 'slow one'), task('T', ['S']), task('U', ['T'])],
    });
    await waitFor(async () => {
      const answer = await stack.http.get(`/v1/plans/${created.body.id}`, apiKey);
      return answer.body.tasks[0].status === 'running';
    }, 'the slow task to start');
    const cancelled = await stack.http.post(`/v1/plans/${created.body.id}/cancel`, {}, apiKey);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.status).toBe('cancelled');
    const status = cancelled.body.tasks.map((t: { status: string }) => t.status);
    expect(status).toEqual(['cancelled', 'skipped', 'skipped']);
    const again = await stack.http.post(`/v1/plans/${created.body.id}/cancel`, {}, apiKey);
    expect(again.status).toBe(409);
  });

  it('fail_fast aborts the provider call of a task it cancels, counted as a plain cancel', async () => {
    fake.when((r) => r.prompt.includes('late-failure'), {
      kind: 'delay',
      ms: 1_500,
      then: { kind: 'error', status: 400 },
    });
    const created = await createPlan({
      title: 'fail fast abort',
      tasks: [task('S', [], 'slow fail-fast victim'), task('F', [], 'late-failure F')],
    });
    const plan = await waitForPlan(created.body.id);
    expect(plan.status).toBe('failed');
    const byKey = Object.fromEntries(plan.tasks.map((t: { key: string }) => [t.key, t]));
    expect(byKey.F.status).toBe('failed');
    expect(byKey.S.status).toBe('cancelled');

    // The worker was told: its request to the provider closes long before the 30 s delay.
    await waitFor(
      async () => fake.abandoned.some((r) => r.prompt.includes('fail-fast victim')),
      'the slow task to abort its provider request',
      5_000,
    );
    const slow = await stack.http.get(`/v1/executions/${byKey.S.executionId}`, apiKey);
    expect(slow.body.status).toBe('cancelled');
    // As POST /v1/executions/:id/cancel: no tokens, no cost; the rollups count it cancelled.
    expect(slow.body.usage).toMatchObject({ promptTokens: 0, completionTokens: 0, totalTokens: 0 });
    expect(Number(slow.body.usage.costUsd)).toBe(0);
    expect(await findAccountingDrift(stack.db)).toEqual({
      daily: [],
      lifetime: [],
      attribution: [],
    });
  });

  const tasksByKey = async (planId: string) => {
    const answer = await stack.http.get(`/v1/plans/${planId}`, apiKey);
    return Object.fromEntries(answer.body.tasks.map((t: { key: string }) => [t.key, t])) as Record<
      string,
      { status: string; executionId: string | null }
    >;
  };
  const calling = (marker: string) => fake.requests.some((r) => r.prompt.includes(marker));
  const abandoned = (marker: string) => fake.abandoned.some((r) => r.prompt.includes(marker));

  it('fail_fast set off by cancelling one task (POST /v1/executions/:id/cancel) aborts its running sibling', async () => {
    const created = await createPlan({
      title: 'cancel one task',
      tasks: [task('S', [], 'slow sibling kept'), task('T', [], 'slow sibling cancelled')],
    });
    await waitFor(
      async () => calling('slow sibling kept') && calling('slow sibling cancelled'),
      'both tasks to call the provider',
    );
    const { T } = await tasksByKey(created.body.id);
    const cancelled = await stack.http.post(`/v1/executions/${T.executionId}/cancel`, {}, apiKey);
    expect(cancelled.status).toBe(200);

    await waitFor(
      async () => abandoned('slow sibling kept'),
      'the sibling to abort its provider request',
      5_000,
    );
    const plan = await waitForPlan(created.body.id);
    expect(plan.status).toBe('failed');
    expect((await tasksByKey(created.body.id)).S.status).toBe('cancelled');
  });

  it('fail_fast also cancels a sibling whose row another transaction holds (a claim, a step commit) at that moment', async () => {
    fake.when((r) => r.prompt.includes('held-row failure'), {
      kind: 'delay',
      ms: 500,
      then: { kind: 'error', status: 400 },
    });
    const created = await createPlan({
      title: 'held row',
      tasks: [task('S', [], 'slow held sibling'), task('F', [], 'held-row failure F')],
    });
    await waitFor(async () => calling('slow held sibling'), 'the sibling to call the provider');
    const { S } = await tasksByKey(created.body.id);
    const holder = stack.db.createQueryRunner();
    await holder.connect();
    try {
      await holder.startTransaction();
      await holder.query(`SELECT id FROM agent_executions WHERE id = $1 FOR UPDATE`, [
        S.executionId,
      ]);
      await waitFor(async () => calling('held-row failure'), 'the failing task to run');
      // Its failure answer comes after 500 ms; its commit fails the plan meanwhile.
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      await holder.commitTransaction();
    } finally {
      await holder.release();
    }

    await waitFor(
      async () => abandoned('slow held sibling'),
      'the sibling to abort its provider request',
      5_000,
    );
    const plan = await waitForPlan(created.body.id);
    expect(plan.status).toBe('failed');
    expect((await tasksByKey(created.body.id)).S.status).toBe('cancelled');
  });

  const createAgent = async (name: string, capabilities: string[] = []) => {
    const answer = await stack.http.post(
      '/v1/agents',
      {
        name,
        role: name,
        providerId: setup.providerId,
        llmConfig: { model: 'gpt-4o-mini' },
        capabilities,
      },
      apiKey,
    );
    expect(answer.status).toBe(201);
    return answer.body.id as string;
  };

  it('refuses to delete an agent a running plan waits on (409 agent_in_use, the plan named)', async () => {
    const helper = await createAgent('Helper');
    const created = await createPlan({
      title: 'agent in use',
      tasks: [
        { ...task('S', [], 'slow in-use'), agentId: helper },
        { ...task('T', ['S']), agentId: helper },
      ],
    });
    await waitFor(async () => {
      const answer = await stack.http.get(`/v1/plans/${created.body.id}`, apiKey);
      return answer.body.tasks[0].status === 'running';
    }, 'the slow task to start');

    const refused = await stack.http.delete(`/v1/agents/${helper}`, apiKey);
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('agent_in_use');
    expect(refused.body.error.message).toContain(created.body.id);
    expect((await stack.http.get(`/v1/agents/${helper}`, apiKey)).status).toBe(200);
    const running = await stack.http.get(`/v1/plans/${created.body.id}`, apiKey);
    expect(running.body.status).toBe('running');
    expect(running.body.tasks.map((t: { status: string }) => t.status)).toEqual([
      'running',
      'pending',
    ]);

    const cancelled = await stack.http.post(`/v1/plans/${created.body.id}/cancel`, {}, apiKey);
    expect(cancelled.body.status).toBe('cancelled');
    expect((await stack.http.delete(`/v1/agents/${helper}`, apiKey)).status).toBe(204);
    const ended = await stack.http.get(`/v1/plans/${created.body.id}`, apiKey);
    expect(ended.body.status).toBe('cancelled');
  });

  it('a pending capability task whose only agent was deleted fails no_agent when ready', async () => {
    fake.when((r) => r.prompt.includes('gate-'), { kind: 'delay', ms: 1_500 });
    const rare = await createAgent('Rare', ['rare-skill']);
    const created = await createPlan({
      title: 'capability gone',
      tasks: [
        task('G', [], 'gate-open'),
        { key: 'R', capability: 'rare-skill', dependsOn: ['G'], input: { message: 'task-B r' } },
      ],
    });
    expect(created.status).toBe(202);
    // R has no agent until it is ready, so nothing holds the agent: the delete goes through.
    expect((await stack.http.delete(`/v1/agents/${rare}`, apiKey)).status).toBe(204);

    const plan = await waitForPlan(created.body.id);
    expect(plan.status).toBe('failed');
    const byKey = Object.fromEntries(plan.tasks.map((t: { key: string }) => [t.key, t]));
    expect(byKey.G.status).toBe('succeeded');
    expect(byKey.R.status).toBe('failed');
    expect(byKey.R.executionId).toBeNull();
    expect(byKey.R.error).toMatchObject({ code: 'no_agent' });
  });

  it.each<[string, Tasks, string, RegExp]>([
    [
      'a cycle',
      () => [task('A', ['C']), task('B', ['A']), task('C', ['B'])],
      'plan_cycle',
      /A.*B.*C|B.*C.*A|C.*A.*B|A.*C.*B|C.*B.*A|B.*A.*C/,
    ],
    ['a duplicate key', () => [task('A'), task('A')], 'duplicate_task_key', /A/],
    ['an unknown dependency', () => [task('A', ['Z'])], 'unknown_dependency', /Z/],
    [
      'a placeholder of a task not depended on',
      () => [task('A'), task('B', [], '{{tasks.A.output.text}}')],
      'unreferenced_placeholder',
      /A/,
    ],
    [
      'more than 1,000 tasks',
      () => Array.from({ length: 1001 }, (_, n) => task(`t${n}`)),
      'plan_too_large',
      /1000|1,000/,
    ],
  ])('refuses %s with 422 and writes nothing', async (_what, tasks, code, message) => {
    const before = [
      await rowCount('plans'),
      await rowCount('plan_tasks'),
      await rowCount('agent_executions'),
    ];
    const answer = await createPlan({ title: 'bad', tasks: tasks() });
    expect(answer.status).toBe(422);
    expect(answer.body.error.code).toBe(code);
    expect(answer.body.error.message).toMatch(message);
    expect([
      await rowCount('plans'),
      await rowCount('plan_tasks'),
      await rowCount('agent_executions'),
    ]).toEqual(before);
  });

  it('refuses an agent of another tenant, naming it, and hides plans across tenants', async () => {
    const other = await setUpAgent(stack);
    const before = await rowCount('plans');
    const answer = await createPlan({
      title: 'foreign',
      tasks: [{ key: 'A', agentId: other.agentId, input: { message: 'hi' } }],
    });
    expect(answer.status).toBe(422);
    expect(answer.body.error.code).toBe('agent_not_found');
    expect(answer.body.error.message).toContain(other.agentId);
    expect(await rowCount('plans')).toBe(before);

    const mine = await createPlan({ title: 'mine', tasks: [task('A')] });
    const theirs = await stack.http.get(`/v1/plans/${mine.body.id}`, other.tenant.apiKey);
    expect(theirs.status).toBe(404);
    const cancel = await stack.http.post(
      `/v1/plans/${mine.body.id}/cancel`,
      {},
      other.tenant.apiKey,
    );
    expect(cancel.status).toBe(404);
    const list = await stack.http.get('/v1/plans', other.tenant.apiKey);
    expect(list.body.data).toEqual([]);
  });

  it('assigns a capability task to the least loaded active agent with it', async () => {
    const writer = await stack.http.post(
      '/v1/agents',
      {
        name: 'writer',
        role: 'Writer',
        providerId: setup.providerId,
        llmConfig: { model: 'gpt-4o-mini' },
        capabilities: ['writing'],
      },
      apiKey,
    );
    expect(writer.status).toBe(201);
    expect(writer.body.capabilities).toEqual(['writing']);
    const invalid = await stack.http.patch(
      `/v1/agents/${writer.body.id}`,
      { capabilities: ['has space'] },
      apiKey,
    );
    expect(invalid.status).toBe(400);
    const patched = await stack.http.patch(
      `/v1/agents/${writer.body.id}`,
      { capabilities: ['writing', 'editing', 'writing'] },
      apiKey,
    );
    expect(patched.body.capabilities).toEqual(['writing', 'editing']);
    const refused = await createPlan({
      title: 'nobody',
      tasks: [{ key: 'A', capability: 'juggling', input: { message: 'hi' } }],
    });
    expect(refused.status).toBe(422);
    expect(refused.body.error.code).toBe('no_agent_for_capability');

    const created = await createPlan({
      title: 'capability',
      tasks: [
        task('A'),
        { key: 'W', capability: 'writing', dependsOn: ['A'], input: { message: 'task-B w' } },
      ],
    });
    const plan = await waitForPlan(created.body.id);
    expect(plan.status).toBe('succeeded');
    expect(plan.tasks[1].agentId).toBe(writer.body.id);

    // Two writers idle, two writing tasks ready at once: one each.
    const second = await stack.http.post(
      '/v1/agents',
      {
        name: 'writer 2',
        role: 'Writer',
        providerId: setup.providerId,
        llmConfig: { model: 'gpt-4o-mini' },
        capabilities: ['writing'],
      },
      apiKey,
    );
    const fanOut = await createPlan({
      title: 'two writers',
      tasks: [
        task('A'),
        { key: 'W1', capability: 'writing', dependsOn: ['A'], input: { message: 'task-B 1' } },
        { key: 'W2', capability: 'writing', dependsOn: ['A'], input: { message: 'task-C 2' } },
      ],
    });
    const spread = await waitForPlan(fanOut.body.id);
    expect(spread.status).toBe('succeeded');
    expect([spread.tasks[1].agentId, spread.tasks[2].agentId].sort()).toEqual(
      [writer.body.id, second.body.id].sort(),
    );
  });

  it('lists plans newest first with a cursor, by status', async () => {
    const first = await stack.http.get('/v1/plans?limit=2', apiKey);
    expect(first.status).toBe(200);
    expect(first.body.data).toHaveLength(2);
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const second = await stack.http.get(
      `/v1/plans?limit=2&cursor=${encodeURIComponent(first.body.nextCursor)}`,
      apiKey,
    );
    expect(second.body.data[0].id).not.toBe(first.body.data[1].id);
    const failed = await stack.http.get('/v1/plans?status=failed', apiKey);
    expect(failed.body.data.length).toBeGreaterThanOrEqual(2);
    expect(failed.body.data.every((p: { status: string }) => p.status === 'failed')).toBe(true);
  });

  it('projects hold plans; the usage of a project is the sum of its plans', async () => {
    const project = await stack.http.post(
      '/v1/projects',
      { name: 'blog', description: 'posts', metadata: { team: 'content' } },
      apiKey,
    );
    expect(project.status).toBe(201);
    expect(project.body).toMatchObject({ name: 'blog', usage: { plans: 0, totalTokens: 0 } });
    const bad = await stack.http.post('/v1/projects', { name: '' }, apiKey);
    expect(bad.status).toBe(400);

    const plans = [];
    for (let n = 0; n < 2; n += 1) {
      const created = await createPlan({
        projectId: project.body.id,
        title: `post ${n}`,
        tasks: [task('A'), task('B', ['A'])],
      });
      plans.push(await waitForPlan(created.body.id));
    }
    const read = await stack.http.get(`/v1/projects/${project.body.id}`, apiKey);
    expect(read.body.usage.plans).toBe(2);
    expect(read.body.usage.totalTokens).toBe(
      plans[0].usage.totalTokens + plans[1].usage.totalTokens,
    );
    const inProject = await stack.http.get(`/v1/plans?projectId=${project.body.id}`, apiKey);
    expect(inProject.body.data.map((p: { id: string }) => p.id).sort()).toEqual(
      plans.map((p) => p.id).sort(),
    );

    const patched = await stack.http.patch(
      `/v1/projects/${project.body.id}`,
      { name: 'blog 2', description: null },
      apiKey,
    );
    expect(patched.body).toMatchObject({ name: 'blog 2', description: null });
    const other = await stack.createTenant('other');
    expect((await stack.http.get(`/v1/projects/${project.body.id}`, other.apiKey)).status).toBe(
      404,
    );
    expect((await stack.http.get('/v1/projects', apiKey)).body.data[0].id).toBe(project.body.id);

    const deleted = await stack.http.delete(`/v1/projects/${project.body.id}`, apiKey);
    expect(deleted.status).toBe(204);
    expect((await stack.http.get(`/v1/projects/${project.body.id}`, apiKey)).status).toBe(404);
    expect((await stack.http.get(`/v1/plans/${plans[0].id}`, apiKey)).body.projectId).toBeNull();
  });

  it('writes one plan.completed webhook delivery when a plan ends', async () => {
    const webhook = await stack.http.post(
      '/v1/webhooks',
      { url: 'http://127.0.0.1:9/plans', events: ['plan.completed'] },
      apiKey,
    );
    expect(webhook.status).toBe(201);
    const created = await createPlan({ title: 'hooked', tasks: [task('A'), task('B', ['A'])] });
    const plan = await waitForPlan(created.body.id);
    const deliveries = await stack.db.query(
      `SELECT event_type, payload FROM webhook_deliveries WHERE resource_id = $1`,
      [plan.id],
    );
    expect(deliveries).toEqual([
      {
        event_type: 'plan.completed',
        payload: expect.objectContaining({ id: plan.id, status: 'succeeded', title: 'hooked' }),
      },
    ]);
    const toCancel = await createPlan({
      title: 'hooked, cancelled',
      tasks: [task('S', [], 'slow one')],
    });
    const cancelled = await stack.http.post(`/v1/plans/${toCancel.body.id}/cancel`, {}, apiKey);
    expect(cancelled.body.status).toBe('cancelled');
    const onCancel = await stack.db.query(
      `SELECT event_type, payload FROM webhook_deliveries WHERE resource_id = $1`,
      [toCancel.body.id],
    );
    expect(onCancel).toEqual([
      {
        event_type: 'plan.completed',
        payload: expect.objectContaining({ id: toCancel.body.id, status: 'cancelled' }),
      },
    ]);
    await stack.http.delete(`/v1/webhooks/${webhook.body.id}`, apiKey);
  });

  it('streams task transitions as server-sent events, ending with the plan', async () => {
    const created = await createPlan({ title: 'streamed', tasks: [task('A'), task('B', ['A'])] });
    const response = await fetch(`${stack.http.baseUrl}/v1/plans/${created.body.id}/events`, {
      headers: { authorization: `Bearer ${apiKey}` },
    });
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    const text = await response.text();
    const events = text
      .split('\n\n')
      .filter((block) => block.includes('data: '))
      .map((block) => ({
        type: /event: (\w+)/.exec(block)![1],
        data: JSON.parse(/data: (.*)/.exec(block)![1]),
      }));
    const last = events[events.length - 1];
    expect(last).toMatchObject({ type: 'plan', data: { status: 'succeeded' } });
    const b = events
      .filter((e) => e.type === 'task' && e.data.key === 'B')
      .map((e) => e.data.status);
    expect(b[b.length - 1]).toBe('succeeded');
    const missing = await fetch(`${stack.http.baseUrl}/v1/plans/${created.body.id}/events`, {
      headers: { authorization: `Bearer ${(await stack.createTenant('x')).apiKey}` },
    });
    expect(missing.status).toBe(404);
  });

  it('counts plans, tasks and their usage in /v1/usage, equal to the execution rows', async () => {
    const usage = await stack.http.get('/v1/usage', apiKey);
    expect(usage.status).toBe(200);
    const [rows] = await stack.db.query(
      `SELECT count(DISTINCT p.id)::int AS plans, count(t.key)::int AS tasks,
              COALESCE(sum(e.prompt_tokens + e.completion_tokens), 0)::int AS tokens
         FROM plans p LEFT JOIN plan_tasks t ON t.plan_id = p.id
         LEFT JOIN agent_executions e ON e.id = t.execution_id
        WHERE p.tenant_id = $1`,
      [setup.tenant.id],
    );
    expect(usage.body.plans).toMatchObject({
      plans: rows.plans,
      tasks: rows.tasks,
      totalTokens: rows.tokens,
    });
    expect(rows.plans).toBeGreaterThan(5);
  });
});
