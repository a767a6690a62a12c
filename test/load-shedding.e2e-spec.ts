import { HttpAnswer } from './support/http-client';
import { setUpAgent, waitFor } from './support/scenario';
import { startTestStack, TestStack } from './support/test-stack';

describe('load shedding: a full queue answers 429 with Retry-After and writes nothing', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await startTestStack({
      env: { SUBMISSION_MAX_WAITING_JOBS: '10', SUBMISSION_RETRY_AFTER_SECONDS: '2' },
    });
  });

  afterAll(() => stack.stop());

  const count = async (agentId: string) => {
    const [{ n }] = await stack.db.query(
      `SELECT count(*)::int AS n FROM agent_executions WHERE agent_id = $1`,
      [agentId],
    );
    return n as number;
  };

  it('sheds single and batch submissions once the waiting jobs reach the limit', async () => {
    const { tenant, agentId } = await setUpAgent(stack);
    const filled = await stack.http.post(
      `/v1/agents/${agentId}/executions/batch`,
      { executions: Array.from({ length: 10 }, (_, i) => ({ input: { message: `fill ${i}` } })) },
      tenant.apiKey,
    );
    expect(filled.status).toBe(202);

    // The queue depth is read at most every 250 ms: until the API has seen the backlog, a few
    // more are taken. What is shed is never written.
    let shed: HttpAnswer | undefined;
    await waitFor(async () => {
      shed = await stack.http.post(
        `/v1/agents/${agentId}/executions`,
        { input: { message: 'one too many' } },
        tenant.apiKey,
      );
      return shed.status === 429;
    }, 'a 429');
    expect(shed!.body.error.code).toBe('queue_full');
    expect(shed!.headers.get('retry-after')).toBe('2');
    const written = await count(agentId);

    const batch = await stack.http.post(
      `/v1/agents/${agentId}/executions/batch`,
      { executions: [{ input: { message: 'batch too' } }] },
      tenant.apiKey,
    );
    expect(batch.status).toBe(429);
    expect(await count(agentId)).toBe(written);

    // Once workers drain the queue, submissions are taken again.
    const worker = await stack.startWorker();
    await waitFor(async () => {
      const answer = await stack.http.post(
        `/v1/agents/${agentId}/executions`,
        { input: { message: 'room again' } },
        tenant.apiKey,
      );
      return answer.status === 202;
    }, 'a 202 after the drain');
    await stack.stopWorker(worker);
    expect(await count(agentId)).toBe(written + 1);
  });
});
