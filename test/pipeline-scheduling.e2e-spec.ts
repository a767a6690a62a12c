import { findAccountingDrift } from '@agentq/testing';
import { setUpAgent, waitFor, waitForTerminal } from './support/scenario';
import { startTestStack, TestStack } from './support/test-stack';

describe('scheduling: priority, cancellation of running jobs, timeouts', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await startTestStack();
  });

  afterAll(() => stack.stop());

  it('runs higher priority first with one worker at concurrency 1', async () => {
    const { tenant, agentId } = await setUpAgent(stack);
    const priorities = [1, 5, 10, 3, 8, 2, 9, 4, 7, 6, 10, 1];
    const ids: string[] = [];
    for (const priority of priorities) {
      const answer = await stack.http.post(
        `/v1/agents/${agentId}/executions`,
        { input: { message: `priority ${priority}` }, priority },
        tenant.apiKey,
      );
      ids.push(answer.body.id);
    }
    const worker = await stack.startWorker({ WORKER_CONCURRENCY: '1' });
    const dataSource = stack.db;
    await waitFor(async () => {
      const [{ n }] = await dataSource.query(
        `SELECT count(*)::int AS n FROM agent_executions WHERE agent_id = $1 AND status = 'succeeded'`,
        [agentId],
      );
      return n === priorities.length;
    }, 'all jobs to finish');
    await stack.stopWorker(worker);
    const rows: { priority: number }[] = await dataSource.query(
      `SELECT priority FROM agent_executions WHERE agent_id = $1 ORDER BY started_at`,
      [agentId],
    );
    expect(rows.map((row) => row.priority)).toEqual([...priorities].sort((a, b) => b - a));
  });

  it('cancels a running job: the provider call is aborted and it ends cancelled, counted once', async () => {
    const { tenant, agentId } = await setUpAgent(stack, {
      provider: { settings: { latencyMs: 30_000 } },
    });
    const worker = await stack.startWorker();
    const submitted = await stack.http.post(
      `/v1/agents/${agentId}/executions`,
      { input: { message: 'slow' } },
      tenant.apiKey,
    );
    await waitFor(async () => {
      const answer = await stack.http.get(`/v1/executions/${submitted.body.id}`, tenant.apiKey);
      return answer.body.status === 'running';
    }, 'the job to start');
    const startedAt = Date.now();
    const cancelled = await stack.http.post(
      `/v1/executions/${submitted.body.id}/cancel`,
      {},
      tenant.apiKey,
    );
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.status).toBe('cancelled');
    await stack.stopWorker(worker); // returns once the aborted job has let go
    expect(Date.now() - startedAt).toBeLessThan(10_000);
    const after = await stack.http.get(`/v1/executions/${submitted.body.id}`, tenant.apiKey);
    expect(after.body.status).toBe('cancelled');
    const stats = await stack.http.get(`/v1/agents/${agentId}/stats`, tenant.apiKey);
    expect(stats.body).toMatchObject({
      totalExecutions: 1,
      cancelledExecutions: 1,
      successfulExecutions: 0,
    });
  });

  it('aborts a provider call at timeoutMs, retries it, and fails when attempts run out', async () => {
    const { tenant, agentId } = await setUpAgent(stack, {
      provider: { settings: { latencyMs: 30_000 } },
    });
    const worker = await stack.startWorker();
    const submitted = await stack.http.post(
      `/v1/agents/${agentId}/executions`,
      { input: { message: 'too slow' }, timeoutMs: 1_000, maxAttempts: 2 },
      tenant.apiKey,
    );
    const done = await waitForTerminal(stack, tenant.apiKey, submitted.body.id, 30_000);
    await stack.stopWorker(worker);
    expect(done).toMatchObject({
      status: 'failed',
      attempts: 2,
      error: { code: 'provider_timeout' },
    });
    expect(await findAccountingDrift(stack.db)).toEqual({
      lifetime: [],
      daily: [],
      attribution: [],
    });
  });
});

describe('when Redis is unreachable', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await startTestStack({ env: { REDIS_URL: 'redis://127.0.0.1:1' } });
  });

  afterAll(() => stack.stop());

  it('answers a submission with 503 quickly and writes nothing', async () => {
    const tenant = await stack.createTenant();
    const provider = await stack.http.post(
      '/v1/providers',
      { name: 'e', type: 'echo' },
      tenant.apiKey,
    );
    const agent = await stack.http.post(
      '/v1/agents',
      { name: 'a', role: 'r', providerId: provider.body.id, llmConfig: { model: 'echo-1' } },
      tenant.apiKey,
    );
    const started = Date.now();
    const answer = await stack.http.post(
      `/v1/agents/${agent.body.id}/executions`,
      { input: { message: 'x' } },
      tenant.apiKey,
    );
    expect(answer.status).toBe(503);
    expect(answer.body.error.code).toBe('service_unavailable');
    expect(Date.now() - started).toBeLessThan(5_000);
    const [{ n }] = await stack.db.query(`SELECT count(*)::int AS n FROM agent_executions`);
    expect(n).toBe(0);
    const ready = await stack.http.get('/health/ready');
    expect(ready.status).toBe(503);
  });
});
