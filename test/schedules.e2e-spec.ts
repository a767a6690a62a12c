import { fireTimesBetween } from '@agentq/schedules';
import { AgentSetup, setUpAgent, waitFor } from './support/scenario';
import { startTestStack, TestStack } from './support/test-stack';
import { webhookReceivers } from './support/webhook-receiver';

// Schedules against real PostgreSQL, Redis and workers. Seconds are allowed here (a config knob)
// so a window of a few fire times takes seconds, not minutes; the product default is one firing
// per minute at most.
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

describe('schedules: every schedule fires on its own', () => {
  let stack: TestStack;
  let setup: AgentSetup;
  const startReceiver = webhookReceivers();

  beforeAll(async () => {
    stack = await startTestStack({
      env: {
        SCHEDULES_ALLOW_SECONDS: 'true',
        SCHEDULE_TICK_MS: '200',
        WEBHOOK_DISPATCH_INTERVAL_MS: '200',
        CONTEXT_MAINTENANCE_INTERVAL_MS: '200',
      },
      workers: 1,
    });
    setup = await setUpAgent(stack);
  });

  afterAll(() => stack?.stop());

  const createSchedule = async (message: string) => {
    const created = await stack.http.post(
      `/v1/agents/${setup.agentId}/schedules`,
      { cron: '* * * * * *', input: { message }, overlap: 'queue' },
      setup.tenant.apiKey,
    );
    expect(created.status).toBe(201);
    return created.body.id as string;
  };
  const firedCount = async (id: string): Promise<number> =>
    (await stack.http.get(`/v1/schedules/${id}`, setup.tenant.apiKey)).body.firedCount;

  it('one schedule that always throws is passed over; the others fire and move on', async () => {
    const broken = await createSchedule('broken');
    // A time zone the API would refuse, written underneath it: computing the next fire time throws.
    await stack.db.query(
      `UPDATE agent_schedules SET timezone = 'Mars/Olympus_Mons' WHERE id = $1`,
      [broken],
    );
    const healthy = [await createSchedule('first'), await createSchedule('second')];

    await waitFor(
      async () => (await Promise.all(healthy.map(firedCount))).every((n) => n >= 2),
      'the healthy schedules to fire twice each',
      10_000,
    );
    expect(await firedCount(broken)).toBe(0);
    for (const id of [broken, ...healthy]) {
      await stack.http.patch(`/v1/schedules/${id}`, { enabled: false }, setup.tenant.apiKey);
    }
  });

  it('a schedule disabled while its submission waits: the execution made is recorded, the schedule stays off', async () => {
    const holder = stack.db.createQueryRunner();
    await holder.connect();
    await holder.startTransaction();
    let id = '';
    try {
      await holder.query(`LOCK TABLE agent_executions IN EXCLUSIVE MODE`);
      id = await createSchedule('disabled meanwhile');
      await waitFor(
        async () => {
          const [{ waiting }] = await stack.db.query(
            `SELECT count(*)::int AS waiting FROM pg_stat_activity
              WHERE datname = current_database() AND wait_event_type = 'Lock'
                AND query LIKE '%INSERT%agent_executions%'`,
          );
          return waiting >= 1;
        },
        'the tick’s submission to wait on the lock',
        10_000,
      );
      const disabled = await stack.http.patch(
        `/v1/schedules/${id}`,
        { enabled: false },
        setup.tenant.apiKey,
      );
      expect(disabled.body).toMatchObject({ enabled: false, nextRunAt: null });
    } finally {
      await holder.rollbackTransaction();
      await holder.release();
    }
    const [firing] = await waitFor(async () => {
      const list = (await stack.http.get(`/v1/schedules/${id}/firings`, setup.tenant.apiKey)).body
        .data as { outcome: string; executionId: string | null }[];
      return list.length > 0 ? list : null;
    }, 'the firing to be recorded');
    const executions: { id: string }[] = await stack.db.query(
      `SELECT id FROM agent_executions WHERE idempotency_key LIKE $1`,
      [`schedule:${id}:%`],
    );
    expect(executions).toHaveLength(1);
    expect(firing).toMatchObject({ outcome: 'fired', executionId: executions[0].id });
    const schedule = (await stack.http.get(`/v1/schedules/${id}`, setup.tenant.apiKey)).body;
    expect(schedule).toMatchObject({
      enabled: false,
      nextRunAt: null,
      firedCount: 1,
      lastExecutionId: executions[0].id,
    });
  });

  it('a tick waiting on a submission leaves the maintenance pool to the other jobs', async () => {
    const receiver = await startReceiver();
    const webhook = await stack.http.post(
      '/v1/webhooks',
      { url: receiver.url, events: ['execution.succeeded'] },
      setup.tenant.apiKey,
    );
    // Submissions (INSERT) and retention (FOR UPDATE) wait while the test holds this lock.
    const holder = stack.db.createQueryRunner();
    await holder.connect();
    await holder.startTransaction();
    try {
      await holder.query(`LOCK TABLE agent_executions IN EXCLUSIVE MODE`);
      const id = await createSchedule('held');
      await waitFor(
        async () => {
          const [{ waiting }] = await stack.db.query(
            `SELECT count(*)::int AS waiting FROM pg_stat_activity
              WHERE datname = current_database() AND wait_event_type = 'Lock'`,
          );
          return waiting >= 2;
        },
        'the tick’s submission and the retention run to wait on the lock',
        10_000,
      );
      await stack.http.post(`/v1/webhooks/${webhook.body.id}/test`, {}, setup.tenant.apiKey);
      await waitFor(async () => receiver.received.length === 1, 'the webhook dispatch', 5_000);
      await holder.rollbackTransaction();
      await waitFor(async () => (await firedCount(id)) >= 1, 'the held schedule to fire');
      await stack.http.patch(`/v1/schedules/${id}`, { enabled: false }, setup.tenant.apiKey);
    } finally {
      if (holder.isTransactionActive) await holder.rollbackTransaction();
      await holder.release();
    }
  });
});
