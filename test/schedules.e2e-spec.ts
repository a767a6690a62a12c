import { fireTimesBetween } from '@agentq/schedules';
import { AgentSetup, setUpAgent, waitFor } from './support/scenario';
import { startTestStack, TestStack } from './support/test-stack';

/**
 * Schedules against real PostgreSQL, Redis and workers. Seconds are allowed here (a config knob)
 * so a window of a few fire times takes seconds, not minutes; the product default is one firing
 * per minute at most.
 */
describe('schedules', () => {
  let stack: TestStack;
  let setup: AgentSetup;

  beforeAll(async () => {
    stack = await startTestStack({
      env: { SCHEDULES_ALLOW_SECONDS: 'true', SCHEDULE_TICK_MS: '200' },
    });
    setup = await setUpAgent(stack);
  });

  afterAll(() => stack?.stop());

  const firings = async (scheduleId: string, apiKey = setup.tenant.apiKey) => {
    const answer = await stack.http.get(`/v1/schedules/${scheduleId}/firings?limit=100`, apiKey);
    expect(answer.status).toBe(200);
    return answer.body.data as {
      fireTime: string;
      outcome: string;
      reason: string | null;
      executionId: string | null;
      manual: boolean;
    }[];
  };

  it('fires each fire time once across two workers and a worker restart: no double, no miss', async () => {
    const first = await stack.startWorker();
    await stack.startWorker();
    const startAt = new Date(Math.ceil(Date.now() / 1_000) * 1_000 + 2_000);
    const endAt = new Date(startAt.getTime() + 5_000);
    const created = await stack.http.post(
      `/v1/agents/${setup.agentId}/schedules`,
      {
        cron: '* * * * * *',
        input: { message: 'tick' },
        overlap: 'queue',
        startAt: startAt.toISOString(),
        endAt: endAt.toISOString(),
      },
      setup.tenant.apiKey,
    );
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      timezone: 'UTC',
      overlap: 'queue',
      nextRunAt: startAt.toISOString(),
      lastRunAt: null,
      lastExecutionId: null,
    });
    const id = created.body.id as string;
    const expected = fireTimesBetween(
      { cron: '* * * * * *', timezone: 'UTC', startAt, endAt },
      new Date(startAt.getTime() - 1),
      endAt,
    ).map((time) => time.toISOString());
    expect(expected).toHaveLength(6);

    // A worker stops (and a new one starts) once the schedule has begun firing.
    await waitFor(async () => (await firings(id)).length >= 1, 'the first firing');
    await stack.stopWorker(first);
    await stack.startWorker();

    const done = await waitFor(async () => {
      const schedule = (await stack.http.get(`/v1/schedules/${id}`, setup.tenant.apiKey)).body;
      return schedule.nextRunAt === null ? schedule : null;
    }, 'the window to end');
    const recorded = await firings(id);
    expect(recorded.map((f) => f.fireTime).sort()).toEqual(expected);
    expect(recorded.every((f) => f.outcome === 'fired' && f.executionId)).toBe(true);
    const executions: { idempotency_key: string }[] = await stack.db.query(
      `SELECT idempotency_key FROM agent_executions WHERE idempotency_key LIKE $1`,
      [`schedule:${id}:%`],
    );
    expect(executions.map((e) => e.idempotency_key).sort()).toEqual(
      expected.map((time) => `schedule:${id}:${time}`),
    );
    expect(done).toMatchObject({
      firedCount: 6,
      skippedCount: 0,
      lastRunAt: expected[5],
      lastExecutionId: recorded.find((f) => f.fireTime === expected[5])!.executionId,
    });
  });

  it('overlap skip: a fire time is skipped, counted and visible while the previous run is running', async () => {
    const slow = await setUpAgent(stack, { provider: { settings: { latencyMs: 2_500 } } });
    const created = await stack.http.post(
      `/v1/agents/${slow.agentId}/schedules`,
      { cron: '* * * * * *', input: { message: 'slow' } },
      slow.tenant.apiKey,
    );
    expect(created.body.overlap).toBe('skip');
    const id = created.body.id as string;
    const recorded = await waitFor(async () => {
      const list = await firings(id, slow.tenant.apiKey);
      return list.some((f) => f.outcome === 'skipped') && list.length >= 3 ? list : null;
    }, 'a skipped firing');
    await stack.http.patch(`/v1/schedules/${id}`, { enabled: false }, slow.tenant.apiKey);
    const skipped = recorded.filter((f) => f.outcome === 'skipped');
    expect(skipped[0].reason).toMatch(/^overlap: execution .* is still (queued|running)$/);
    const schedule = (await stack.http.get(`/v1/schedules/${id}`, slow.tenant.apiKey)).body;
    expect(schedule.skippedCount).toBeGreaterThanOrEqual(skipped.length);
    expect(schedule.lastSkipReason).toBe('overlap');
    expect(schedule.nextRunAt).toBeNull();
  });

  it('a paused agent: the firing is recorded as skipped with the reason', async () => {
    const paused = await setUpAgent(stack);
    const created = await stack.http.post(
      `/v1/agents/${paused.agentId}/schedules`,
      { cron: '* * * * * *', input: { message: 'x' } },
      paused.tenant.apiKey,
    );
    await stack.http.patch(
      `/v1/agents/${paused.agentId}`,
      { status: 'paused' },
      paused.tenant.apiKey,
    );
    const id = created.body.id as string;
    const recorded = await waitFor(async () => {
      const list = await firings(id, paused.tenant.apiKey);
      return list.find((f) => f.outcome === 'skipped');
    }, 'a skipped firing');
    expect(recorded.reason).toMatch(/^agent_not_active: /);
    await stack.http.delete(`/v1/schedules/${id}`, paused.tenant.apiKey);
  });

  it('validates cron and time zone with 422 and the reason; runs once now on trigger', async () => {
    const bad = await stack.http.post(
      `/v1/agents/${setup.agentId}/schedules`,
      { cron: '61 * * * *', input: { message: 'x' } },
      setup.tenant.apiKey,
    );
    expect(bad.status).toBe(422);
    expect(bad.body.error).toMatchObject({ code: 'invalid_cron' });
    expect(bad.body.error.message).toMatch(/61/);
    const zone = await stack.http.post(
      `/v1/agents/${setup.agentId}/schedules`,
      { cron: '0 9 * * 1', timezone: 'Europe/Nowhere', input: { message: 'x' } },
      setup.tenant.apiKey,
    );
    expect(zone.status).toBe(422);
    expect(zone.body.error.code).toBe('invalid_timezone');

    const weekly = await stack.http.post(
      `/v1/agents/${setup.agentId}/schedules`,
      { cron: '0 9 * * 1', timezone: 'Europe/Paris', input: { message: 'monday' } },
      setup.tenant.apiKey,
    );
    expect(weekly.status).toBe(201);
    const triggered = await stack.http.post(
      `/v1/schedules/${weekly.body.id}/trigger`,
      {},
      setup.tenant.apiKey,
    );
    expect(triggered.status).toBe(202);
    expect(triggered.body.input).toEqual({ message: 'monday' });
    const [manual] = await firings(weekly.body.id);
    expect(manual).toMatchObject({
      outcome: 'fired',
      manual: true,
      executionId: triggered.body.id,
    });
    const listed = await stack.http.get(
      `/v1/schedules?agentId=${setup.agentId}`,
      setup.tenant.apiKey,
    );
    expect(listed.body.data.map((s: { id: string }) => s.id)).toContain(weekly.body.id);
    const other = await stack.createTenant('other');
    expect((await stack.http.get(`/v1/schedules/${weekly.body.id}`, other.apiKey)).status).toBe(
      404,
    );
  });
});
