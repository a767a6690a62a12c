import { FakeProviderServer } from '@agentq/testing';
import { startProcess } from './support/child-process';
import { setUpAgent, waitFor } from './support/scenario';
import { startTestStack, TestStack } from './support/test-stack';

const LOCK_ENV = { WORKER_LOCK_DURATION_MS: '2000', WORKER_STALLED_INTERVAL_MS: '1000' };

// A worker killed (SIGKILL) while it holds an agent's only concurrency slot: the slot frees
// itself with the job's lock, the stalled job runs again elsewhere, and the executions parked
// behind it are woken by its end, not by their 2-minute backstop.
describe('dispatch: a killed worker’s concurrency slot', () => {
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

  it('frees with the lock, and the parked executions still run one at a time', async () => {
    fake.setDefault({ kind: 'delay', ms: 300 });
    const setup = await setUpAgent(stack, {
      provider: {
        name: 'crash',
        type: 'openai',
        apiKey: 'sk-test-dispatch-0002',
        baseUrl: `${fake.url}/v1`,
      },
      agent: { llmConfig: { model: 'gpt-4o-mini' }, maxConcurrency: 1 },
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
      { executions: [1, 2, 3, 4].map((i) => ({ input: { message: `crash #${i}` } })) },
      setup.tenant.apiKey,
    );
    expect(batch.status).toBe(202);
    expect((await crashing.exited).signal).toBe('SIGKILL');
    const killedAt = Date.now();

    await stack.startWorker({ WORKER_CONCURRENCY: '4' });
    await waitFor(
      async () =>
        (await stack.http.get(`/v1/agents/${setup.agentId}/stats`, setup.tenant.apiKey)).body
          .successfulExecutions === 4,
      'all four to succeed',
      45_000,
    );
    // Well before the parked executions' own 2-minute backstop.
    expect(Date.now() - killedAt).toBeLessThan(30_000);
    expect(fake.peakInFlight).toBe(1);
  }, 120_000);
});
