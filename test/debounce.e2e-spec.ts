import { RunningProcess, startProcess } from './support/child-process';
import { AgentSetup, setUpAgent, waitForTerminal } from './support/scenario';
import { startTestStack, TestStack } from './support/test-stack';

// Issue #28 point 6: `debounce: {key, delayMs}` on a submission. Submissions of one key collapse
// into one execution that runs delayMs after the last of them, with the last one's input.
describe('debounced submissions', () => {
  let stack: TestStack;
  const children: RunningProcess[] = [];

  beforeAll(async () => {
    stack = await startTestStack();
  }, 120_000);

  afterAll(async () => {
    for (const child of children) child.child.kill('SIGKILL');
    await Promise.all(children.map((child) => child.exited));
    await stack?.stop();
  });

  const submit = (setup: AgentSetup, body: Record<string, unknown>, key = setup.tenant.apiKey) =>
    stack.http.post(`/v1/agents/${setup.agentId}/executions`, body, key);

  const executionsOf = async (setup: AgentSetup) =>
    (await stack.http.get(`/v1/executions?agentId=${setup.agentId}&limit=100`, setup.tenant.apiKey))
      .body.data as { id: string; status: string; input: { message: string } }[];

  const timesOf = async (id: string) =>
    (
      await stack.db.query(`SELECT run_at, started_at FROM agent_executions WHERE id = $1`, [id])
    )[0] as { run_at: Date; started_at: Date };

  const startBuiltWorker = async () => {
    const worker = startProcess('dist/apps/worker/src/main.js', {
      DATABASE_URL: stack.database.url,
      REDIS_URL: stack.config.redis.url,
      QUEUE_PREFIX: stack.config.redis.prefix,
      AGENTQ_ADMIN_TOKEN: stack.adminToken,
      AGENTQ_MASTER_KEY: stack.config.masterKeys.current,
      NODE_ENV: 'test',
      METRICS_PORT: '0',
    });
    children.push(worker);
    await worker.waitForOutput(/running with concurrency/, 45_000);
    return worker;
  };

  it('collapses 50 concurrent submissions of one key into one execution with the last committed input, despite a worker killed in the window', async () => {
    const worker = await startBuiltWorker();
    const setup = await setUpAgent(stack);
    const delayMs = 3_000;
    const answers = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        submit(setup, { input: { message: `edit ${i}` }, debounce: { key: 'doc-7', delayMs } }),
      ),
    );
    expect(answers.map((answer) => answer.status)).toEqual(answers.map(() => 202));
    const ids = new Set(answers.map((answer) => answer.body.id));
    expect(ids.size).toBe(1);
    const [id] = ids;

    worker.child.kill('SIGKILL');
    await worker.exited;
    // One more inside the window, while no worker runs: it still joins the same execution.
    const last = await submit(setup, {
      input: { message: 'edit last' },
      debounce: { key: 'doc-7', delayMs },
    });
    expect(last.status).toBe(202);
    expect(last.body.id).toBe(id);
    await startBuiltWorker();

    const ended = await waitForTerminal(stack, setup.tenant.apiKey, id, 60_000);
    expect(ended.status).toBe('succeeded');
    expect(ended.input).toEqual({ message: 'edit last' });
    const rows = await executionsOf(setup);
    expect(rows.map((row) => row.id)).toEqual([id]);
    // It ran no earlier than its run_at, delayMs after the last submission.
    const { run_at, started_at } = await timesOf(id);
    expect(started_at.getTime()).toBeGreaterThanOrEqual(run_at.getTime());
  }, 180_000);

  it('takes the input of the submission that committed last', async () => {
    if (stack.workers.length === 0) await stack.startWorker();
    const setup = await setUpAgent(stack);
    const answers = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        submit(setup, {
          input: { message: `burst ${i}` },
          debounce: { key: 'burst', delayMs: 2_000 },
        }),
      ),
    );
    const [id] = new Set(answers.map((answer) => answer.body.id));
    expect(new Set(answers.map((answer) => answer.body.id)).size).toBe(1);
    // Each answer shows the input as its own transaction left it; the row keeps the last one.
    const [{ input: stored }] = await stack.db.query(
      `SELECT input FROM agent_executions WHERE id = $1`,
      [id],
    );
    const committed = await stack.db.query(
      `SELECT count(*)::int AS n FROM agent_executions WHERE agent_id = $1`,
      [setup.agentId],
    );
    expect(committed[0].n).toBe(1);
    expect(answers.map((answer) => answer.body.input.message)).toContain(stored.message);
    const ended = await waitForTerminal(stack, setup.tenant.apiKey, id, 30_000);
    expect(ended.input).toEqual(stored);
  }, 60_000);

  it('starts a new execution once the key’s execution has started, and keeps keys apart per agent and tenant', async () => {
    if (stack.workers.length === 0) await stack.startWorker();
    const setup = await setUpAgent(stack);
    const first = await submit(setup, {
      input: { message: 'one' },
      debounce: { key: 'k', delayMs: 200 },
    });
    await waitForTerminal(stack, setup.tenant.apiKey, first.body.id);
    const second = await submit(setup, {
      input: { message: 'two' },
      debounce: { key: 'k', delayMs: 200 },
    });
    expect(second.status).toBe(202);
    expect(second.body.id).not.toBe(first.body.id);

    const other = await setUpAgent(stack);
    const a = await submit(setup, {
      input: { message: 'a' },
      debounce: { key: 'same', delayMs: 60_000 },
    });
    const b = await submit(other, {
      input: { message: 'b' },
      debounce: { key: 'same', delayMs: 60_000 },
    });
    expect(b.body.id).not.toBe(a.body.id);
    // Another tenant's agent is not found, with or without the key.
    const foreign = await submit(
      setup,
      { input: { message: 'x' }, debounce: { key: 'same', delayMs: 1_000 } },
      other.tenant.apiKey,
    );
    expect(foreign.status).toBe(404);
    expect(
      (await stack.http.get(`/v1/executions/${a.body.id}`, setup.tenant.apiKey)).body.input,
    ).toEqual({
      message: 'a',
    });
    // A cancelled execution takes no more submissions: the key starts a new one.
    expect(
      (await stack.http.post(`/v1/executions/${a.body.id}/cancel`, {}, setup.tenant.apiKey)).status,
    ).toBe(200);
    const afterCancel = await submit(setup, {
      input: { message: 'c' },
      debounce: { key: 'same', delayMs: 60_000 },
    });
    expect(afterCancel.body.id).not.toBe(a.body.id);
  }, 60_000);

  it('holds back a job that comes due before its row’s run_at (a window moved after the job was due)', async () => {
    if (stack.workers.length === 0) await stack.startWorker();
    const setup = await setUpAgent(stack);
    const submitted = await submit(setup, {
      input: { message: 'late' },
      debounce: { key: 'moved', delayMs: 500 },
    });
    // As if a collapse committed but could not move the job (it was already due).
    await stack.db.query(
      `UPDATE agent_executions SET run_at = now() + interval '2 seconds' WHERE id = $1`,
      [submitted.body.id],
    );
    const ended = await waitForTerminal(stack, setup.tenant.apiKey, submitted.body.id);
    expect(ended.status).toBe('succeeded');
    expect(ended.attempts).toBe(1);
    const { run_at, started_at } = await timesOf(submitted.body.id);
    expect(started_at.getTime()).toBeGreaterThanOrEqual(run_at.getTime());
  }, 30_000);

  it('refuses bad debounce input naming the field, writing nothing', async () => {
    const setup = await setUpAgent(stack);
    const input = { message: 'x' };
    const cases: [Record<string, unknown>, string][] = [
      [{ input, debounce: { key: 'k', delayMs: 0 } }, 'debounce.delayMs'],
      [{ input, debounce: { key: 'k', delayMs: 3_600_001 } }, 'debounce.delayMs'],
      [{ input, debounce: { key: 'k', delayMs: 1.5 } }, 'debounce.delayMs'],
      [{ input, debounce: { delayMs: 1_000 } }, 'debounce.key'],
      [{ input, debounce: { key: '', delayMs: 1_000 } }, 'debounce.key'],
      [{ input, debounce: { key: 'k'.repeat(257), delayMs: 1_000 } }, 'debounce.key'],
      [{ input, debounce: 'k' }, 'debounce'],
      [{ input, debounce: { key: 'k', delayMs: 1_000 }, delayMs: 5 }, 'delayMs'],
      [{ input, debounce: { key: 'k', delayMs: 1_000 }, idempotencyKey: 'i' }, 'idempotencyKey'],
    ];
    for (const [body, field] of cases) {
      const answer = await submit(setup, body);
      expect({ body, status: answer.status }).toEqual({ body, status: 400 });
      expect(answer.body.error.details.map((d: { field: string }) => d.field)).toContain(field);
    }
    const batch = await stack.http.post(
      `/v1/agents/${setup.agentId}/executions/batch`,
      { executions: [{ input }, { input, debounce: { key: 'k', delayMs: 1_000 } }] },
      setup.tenant.apiKey,
    );
    expect(batch.status).toBe(400);
    expect(batch.body.error.details[0].field).toBe('executions.1.debounce');
    expect(await executionsOf(setup)).toHaveLength(0);
  });
});
