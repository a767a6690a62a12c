import { FakeProviderServer } from '@agentq/testing';
import { startProcess } from './support/child-process';
import { setUpAgent, waitFor } from './support/scenario';
import { startTestStack, TestStack } from './support/test-stack';
import { peakOverlap } from './support/peak-overlap';

const LOCK_ENV = { WORKER_LOCK_DURATION_MS: '2000', WORKER_STALLED_INTERVAL_MS: '1000' };
const LATENCY_MS = 300;

// A worker killed (SIGKILL) while it holds an end user's only slot under maxConcurrencyPerKey:
// the slot frees itself with its lease, the user's parked executions run one at a time, and
// another user's executions are never held back by it.
describe('per-key concurrency: a killed worker’s key slot', () => {
  let stack: TestStack;
  let fake: FakeProviderServer;

  beforeAll(async () => {
    fake = new FakeProviderServer();
    await fake.start();
    stack = await startTestStack({ env: LOCK_ENV });
  });

  afterAll(async () => {
    await stack?.stop();
    await fake?.stop();
  });

  it('keeps one call per user in flight across a kill -9, and every execution succeeds', async () => {
    fake.setDefault({ kind: 'delay', ms: LATENCY_MS });
    const setup = await setUpAgent(stack, {
      provider: {
        name: 'crash',
        type: 'openai',
        apiKey: 'sk-test-per-key-0002',
        baseUrl: `${fake.url}/v1`,
      },
      agent: {
        llmConfig: { model: 'gpt-4o-mini' },
        concurrencyKey: 'user',
        maxConcurrencyPerKey: 1,
      },
    });
    const crashing = startProcess('dist/apps/worker/src/main.js', {
      DATABASE_URL: stack.database.url,
      REDIS_URL: stack.config.redis.url,
      QUEUE_PREFIX: stack.config.redis.prefix,
      AGENTQ_ADMIN_TOKEN: stack.adminToken,
      AGENTQ_MASTER_KEY: stack.config.masterKeys.current,
      NODE_ENV: 'test',
      METRICS_PORT: '0',
      WORKER_CONCURRENCY: '4',
      AGENTQ_FAULT_INJECTION: 'crash-after-provider',
      ...LOCK_ENV,
    });
    await crashing.waitForOutput(/running with concurrency/, 45_000);
    const batch = await stack.http.post(
      `/v1/agents/${setup.agentId}/executions/batch`,
      {
        executions: [
          ...[1, 2, 3, 4].map((i) => ({ input: { message: `alice #${i}` }, user: 'alice' })),
          ...[1, 2].map((i) => ({ input: { message: `bob #${i}` }, user: 'bob' })),
        ],
      },
      setup.tenant.apiKey,
    );
    expect(batch.status).toBe(202);
    expect((await crashing.exited).signal).toBe('SIGKILL');

    await stack.startWorker({ WORKER_CONCURRENCY: '4' });
    await waitFor(
      async () =>
        (await stack.http.get(`/v1/agents/${setup.agentId}/stats`, setup.tenant.apiKey)).body
          .successfulExecutions === 6,
      'all six to succeed',
      60_000,
    );
    const of = (user: string) => fake.requests.filter((r) => r.prompt.includes(`${user} #`));
    // The crashed attempt's call was answered before the kill; its execution ran again later.
    expect(peakOverlap(of('alice'), LATENCY_MS)).toBe(1);
    expect(peakOverlap(of('bob'), LATENCY_MS)).toBe(1);
    const rows = (
      await stack.http.get(`/v1/executions?agentId=${setup.agentId}`, setup.tenant.apiKey)
    ).body.data as { status: string }[];
    expect(rows.map((row) => row.status)).toEqual(rows.map(() => 'succeeded'));
  }, 120_000);
});
