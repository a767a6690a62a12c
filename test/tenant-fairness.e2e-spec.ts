import { METRICS_REGISTRY } from '@agentq/metrics';
import { Registry } from 'prom-client';
import { AgentSetup, setUpAgent, waitFor } from './support/scenario';
import { startTestStack, TestStack } from './support/test-stack';

// Tenant fairness (#14): a tenant's backlog does not hold back another tenant's few executions,
// and priorities keep their order inside a tenant. Everything is queued before the one worker
// (concurrency 1) starts, so the order the executions start in is the queue's order alone.
describe('tenant fairness', () => {
  let stack: TestStack;
  let flooder: AgentSetup;
  let neighbour: AgentSetup;
  let third: AgentSetup;

  beforeAll(async () => {
    stack = await startTestStack({ env: { METRICS_TOP_TENANTS: '1' } });
    flooder = await setUpAgent(stack);
    neighbour = await setUpAgent(stack);
    third = await setUpAgent(stack);
  });

  afterAll(() => stack.stop());

  async function submit(setup: AgentSetup, count: number, priority?: number): Promise<string[]> {
    const executions = Array.from({ length: count }, (_, i) => ({
      input: { message: `job ${i}` },
      ...(priority ? { priority } : {}),
    }));
    const answer = await stack.http.post(
      `/v1/agents/${setup.agentId}/executions/batch`,
      { executions },
      setup.tenant.apiKey,
    );
    if (answer.status !== 202) throw new Error(`batch: ${JSON.stringify(answer.body)}`);
    return answer.body.data.map((execution: { id: string }) => execution.id);
  }

  it("starts a neighbour's few executions before a flooding tenant's backlog drains", async () => {
    const flood = await submit(flooder, 300);
    const urgent = await submit(flooder, 1, 10);
    const few = await submit(neighbour, 3);
    await submit(third, 2);

    const worker = await stack.startWorker({ WORKER_CONCURRENCY: '1' });
    // the gauge, read from Redis while the backlog waits: the top tenant and "other", no more
    const waiting = await (worker.get(METRICS_REGISTRY) as Registry)
      .getSingleMetric('agentq_queue_tenant_waiting')!
      .get();
    expect(waiting.values.map((v) => [v.labels.tenant, v.value])).toEqual([
      [flooder.tenant.id, expect.any(Number)],
      ['other', expect.any(Number)],
    ]);
    expect(waiting.values[0].value).toBeGreaterThan(250);

    const ids = [...flood, ...urgent, ...few];
    await waitFor(
      async () => {
        const [{ n }] = await stack.db.query(
          `SELECT count(*)::int AS n FROM agent_executions WHERE id = ANY($1) AND status = 'succeeded'`,
          [ids],
        );
        return n === ids.length;
      },
      'every execution to succeed',
      120_000,
    );
    await stack.stopWorker(worker);

    const started: { id: string }[] = await stack.db.query(
      `SELECT id FROM agent_executions ORDER BY started_at, id`,
    );
    const position = (id: string) => started.findIndex((row) => row.id === id);
    // the flooder's urgent job overtakes its own backlog
    expect(position(urgent[0])).toBeLessThan(5);
    // one round each: the neighbour's k-th execution starts right after the flooder's k-th
    for (const id of few) expect(position(id)).toBeLessThan(12);
    // and the flooder's backlog still runs in the order it was submitted
    const floodOrder = started.map((row) => row.id).filter((id) => flood.includes(id));
    expect(floodOrder).toEqual(flood);
  });
});
