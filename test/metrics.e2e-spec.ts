import { createServer } from 'node:net';
import { MetricsServer } from '../apps/worker/src/metrics/metrics-server.service';
import { AgentSetup, setUpAgent, waitForTerminal } from './support/scenario';
import { startTestStack, TestStack } from './support/test-stack';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

// Value of one sample line `name{labels} value` whose labels include every given pair.
function sample(exposition: string, name: string, labels: Record<string, string> = {}): number {
  const wanted = Object.entries(labels).map(([key, value]) => `${key}="${value}"`);
  for (const line of exposition.split('\n')) {
    if (!line.startsWith(name)) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    if (wanted.every((pair) => (match[3] ?? '').includes(pair))) return Number(match[4]);
  }
  return Number.NaN;
}

describe('Prometheus metrics', () => {
  let stack: TestStack;
  let setup: AgentSetup;
  let workerMetricsUrl: string;

  beforeAll(async () => {
    stack = await startTestStack();
    const port = await freePort();
    const worker = await stack.startWorker({ METRICS_PORT: String(port) });
    expect(worker.get(MetricsServer).port).toBe(port);
    workerMetricsUrl = `http://127.0.0.1:${port}/metrics`;
    setup = await setUpAgent(stack, {
      provider: { pricing: { 'echo-1': { inputPerMillion: '1', outputPerMillion: '2' } } },
    });
    const ids: string[] = [];
    for (let i = 0; i < 3; i += 1) {
      const answer = await stack.http.post(
        `/v1/agents/${setup.agentId}/executions`,
        { input: { message: `hello ${i}` } },
        setup.tenant.apiKey,
      );
      expect(answer.status).toBe(202);
      ids.push(answer.body.id);
    }
    for (const id of ids) await waitForTerminal(stack, setup.tenant.apiKey, id);
  });

  afterAll(() => stack?.stop());

  it('the worker answers its liveness probe on the metrics port', async () => {
    const response = await fetch(workerMetricsUrl.replace(/\/metrics$/, '/health/live'));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
  });

  it('the worker exposes job, latency, usage and group-commit series', async () => {
    const response = await fetch(workerMetricsUrl);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/plain');
    const text = await response.text();

    expect(sample(text, 'agentq_jobs_started_total')).toBe(3);
    expect(sample(text, 'agentq_jobs_completed_total')).toBe(3);
    expect(sample(text, 'agentq_execution_duration_seconds_count', { status: 'succeeded' })).toBe(
      3,
    );
    const model = { provider: 'echo', model: 'echo-1' };
    expect(sample(text, 'agentq_provider_latency_seconds_count', model)).toBe(3);
    const byAgent = { agent_id: setup.agentId, model: 'echo-1' };
    expect(sample(text, 'agentq_tokens_total', { ...byAgent, type: 'prompt' })).toBeGreaterThan(0);
    expect(sample(text, 'agentq_tokens_total', { ...byAgent, type: 'completion' })).toBeGreaterThan(
      0,
    );
    expect(sample(text, 'agentq_cost_usd_total', byAgent)).toBeGreaterThan(0);
    expect(sample(text, 'agentq_group_commit_batch_size_sum')).toBe(3);
    expect(sample(text, 'agentq_group_commit_duration_seconds_count')).toBeGreaterThan(0);
    // Read from Redis at scrape time.
    expect(sample(text, 'agentq_queue_jobs', { state: 'waiting' })).toBe(0);
    expect(sample(text, 'agentq_queue_jobs', { state: 'completed' })).toBe(3);
    expect(text).toContain('process_cpu_user_seconds_total{app="worker"}');

    const stats = await stack.http.get(`/v1/agents/${setup.agentId}/stats`, setup.tenant.apiKey);
    expect(sample(text, 'agentq_cost_usd_total', byAgent)).toBeCloseTo(
      Number(stats.body.totalCostUsd),
      9,
    );
    expect(
      sample(text, 'agentq_tokens_total', { ...byAgent, type: 'prompt' }) +
        sample(text, 'agentq_tokens_total', { ...byAgent, type: 'completion' }),
    ).toBe(stats.body.totalTokens);
  });

  it('the API serves /metrics without authentication: queue depth and HTTP series', async () => {
    const answer = await stack.http.get('/metrics');
    expect(answer.status).toBe(200);
    const text: string = answer.body;
    expect(
      sample(text, 'agentq_queue_jobs', { queue: 'agent-executions', state: 'completed' }),
    ).toBe(3);
    expect(sample(text, 'agentq_queue_jobs', { state: 'active' })).toBe(0);
    const submissions = {
      method: 'POST',
      route: '/v1/agents/:agentId/executions',
      status: '202',
    };
    expect(sample(text, 'agentq_http_requests_total', submissions)).toBe(3);
    expect(
      sample(text, 'agentq_http_request_duration_seconds_count', {
        method: 'POST',
        route: '/v1/agents/:agentId/executions',
      }),
    ).toBe(3);
    expect(text).toContain('process_cpu_user_seconds_total{app="api"}');
    // Tenant data stays on the workers' own port.
    expect(text).not.toContain(setup.agentId);
  });

  it('a worker with METRICS_PORT=0 serves nothing', async () => {
    const worker = await stack.startWorker({ METRICS_PORT: '0' });
    expect(worker.get(MetricsServer).port).toBeNull();
    await stack.stopWorker(worker);
  });
});
