import { getQueueToken } from '@nestjs/bullmq';
import { QUEUES, webhookDeliveryJobId, webhookDeliveryJobOptions } from '@agentq/jobs';
import { Queue } from 'bullmq';
import { startProcess } from './support/child-process';
import { AgentSetup, setUpAgent, waitFor, waitForTerminal } from './support/scenario';
import { startTestStack, TestStack } from './support/test-stack';
import {
  verifyWebhookSignature as verifySignature,
  webhookReceivers,
} from './support/webhook-receiver';

const WEBHOOK_ENV = {
  WEBHOOK_DISPATCH_INTERVAL_MS: '200',
  WEBHOOK_RETRY_BASE_MS: '100',
  WEBHOOK_TIMEOUT_MS: '3000',
};

describe('webhooks', () => {
  let stack: TestStack;
  let setup: AgentSetup;
  const startReceiver = webhookReceivers();

  beforeAll(async () => {
    stack = await startTestStack({ env: WEBHOOK_ENV });
    setup = await setUpAgent(stack);
  });

  afterAll(() => stack?.stop());

  const createWebhook = async (url: string, events = ['execution.succeeded']) => {
    const answer = await stack.http.post('/v1/webhooks', { url, events }, setup.tenant.apiKey);
    expect(answer.status).toBe(201);
    return answer.body as { id: string; secret: string };
  };
  const deliveries = async (webhookId: string) =>
    (await stack.http.get(`/v1/webhooks/${webhookId}/deliveries`, setup.tenant.apiKey)).body
      .data as {
      id: string;
      status: string;
      attempts: { statusCode: number | null; latencyMs: number; error: string | null }[];
    }[];

  it('the outbox survives a worker killed between the terminal commit and the delivery', async () => {
    const receiver = await startReceiver();
    const webhook = await createWebhook(receiver.url);
    // A built worker that SIGKILLs itself right after its first terminal commit, and whose
    // dispatch interval is too long to send anything first.
    const crashing = startProcess('dist/apps/worker/src/main.js', {
      DATABASE_URL: stack.database.url,
      REDIS_URL: stack.config.redis.url,
      QUEUE_PREFIX: stack.config.redis.prefix,
      AGENTQ_ADMIN_TOKEN: stack.adminToken,
      AGENTQ_MASTER_KEY: stack.config.masterKeys.current,
      NODE_ENV: 'test',
      METRICS_PORT: '0',
      AGENTQ_FAULT_INJECTION: 'crash-after-commit',
      WEBHOOK_DISPATCH_INTERVAL_MS: '600000',
    });
    await crashing.waitForOutput(/running with concurrency/, 45_000);
    const submitted = await stack.http.post(
      `/v1/agents/${setup.agentId}/executions`,
      { input: { message: 'survive' } },
      setup.tenant.apiKey,
    );
    expect((await crashing.exited).signal).toBe('SIGKILL');
    const [pending] = await deliveries(webhook.id);
    expect(pending).toMatchObject({ status: 'pending', attempts: [] });
    expect(receiver.received).toHaveLength(0);

    await stack.startWorker();
    await waitFor(async () => (await deliveries(webhook.id))[0].status === 'succeeded', 'delivery');
    const [delivered] = receiver.received;
    expect(delivered.headers['webhook-id']).toBe(pending.id);
    expect(verifySignature(webhook.secret, delivered.headers, delivered.body)).toBe(true);
    const event = JSON.parse(delivered.body);
    const execution = await waitForTerminal(stack, setup.tenant.apiKey, submitted.body.id);
    expect(event).toMatchObject({ type: 'execution.succeeded', data: { id: submitted.body.id } });
    // The payload is the execution's view; the detail's links are read on request only.
    const { planId, planTaskKey, reruns, ...view } = JSON.parse(JSON.stringify(execution));
    expect({ planId, planTaskKey, reruns }).toEqual({
      planId: null,
      planTaskKey: null,
      reruns: [],
    });
    expect(event.data).toEqual(view);
    await stack.http.delete(`/v1/webhooks/${webhook.id}`, setup.tenant.apiKey);
  });

  it('signs every delivery (verified by the test’s own HMAC) and retries with backoff after 3 failures', async () => {
    const receiver = await startReceiver({ statuses: [500, 503, 500] });
    const webhook = await createWebhook(receiver.url);
    const submitted = await stack.http.post(
      `/v1/agents/${setup.agentId}/executions`,
      { input: { message: 'notify me' }, wait: 10 },
      setup.tenant.apiKey,
    );
    expect(submitted.body.status).toBe('succeeded');
    await waitFor(
      async () => (await deliveries(webhook.id))[0]?.status === 'succeeded',
      'delivery',
    );
    const [delivery] = await deliveries(webhook.id);
    expect(delivery.attempts.map((a) => a.statusCode)).toEqual([500, 503, 500, 200]);
    expect(delivery.attempts[0].error).toBe('the endpoint answered 500');
    expect(delivery.attempts.every((a) => Number.isInteger(a.latencyMs))).toBe(true);
    expect(receiver.received).toHaveLength(4);
    for (const { headers, body } of receiver.received) {
      expect(headers['webhook-id']).toBe(delivery.id);
      expect(verifySignature(webhook.secret, headers, body)).toBe(true);
      expect(verifySignature(webhook.secret, headers, `${body} `)).toBe(false);
    }
    // Backoff: each retry waited for its attempt's delay (recorded at the time of each attempt).
    const rows: { created_at: Date }[] = await stack.db.query(
      `SELECT created_at FROM webhook_delivery_attempts WHERE delivery_id = $1 ORDER BY id`,
      [delivery.id],
    );
    const gaps = rows
      .slice(1)
      .map((row, n) => row.created_at.getTime() - rows[n].created_at.getTime());
    // Delay n is at least half of 100 ms × 2^(n−1): 50, 100, 200 ms.
    gaps.forEach((gap, n) => expect(gap).toBeGreaterThanOrEqual(50 * 2 ** n));

    // Rotation: both secrets sign for 24 hours; a test event is signed with both.
    const rotated = await stack.http.post(
      `/v1/webhooks/${webhook.id}/rotate-secret`,
      {},
      setup.tenant.apiKey,
    );
    expect(rotated.status).toBe(200);
    expect(rotated.body.secret).not.toBe(webhook.secret);
    const test = await stack.http.post(`/v1/webhooks/${webhook.id}/test`, {}, setup.tenant.apiKey);
    expect(test.status).toBe(202);
    await waitFor(async () => receiver.received.length === 5, 'the test delivery');
    const last = receiver.received[4];
    expect(JSON.parse(last.body).type).toBe('webhook.test');
    expect(verifySignature(webhook.secret, last.headers, last.body)).toBe(true);
    expect(verifySignature(rotated.body.secret, last.headers, last.body)).toBe(true);

    const redelivered = await stack.http.post(
      `/v1/webhooks/${webhook.id}/deliveries/${delivery.id}/redeliver`,
      {},
      setup.tenant.apiKey,
    );
    expect(redelivered.status).toBe(202);
    await waitFor(async () => receiver.received.length === 6, 'the redelivery');
    expect(receiver.received[5].headers['webhook-id']).toBe(delivery.id);
    const shown = (await stack.http.get(`/v1/webhooks/${webhook.id}`, setup.tenant.apiKey)).body;
    expect(shown).not.toHaveProperty('secret');
    await stack.http.delete(`/v1/webhooks/${webhook.id}`, setup.tenant.apiKey);
  });

  it('a delivery to a private address is refused without connecting', async () => {
    const receiver = await startReceiver();
    const webhook = await createWebhook(receiver.url);
    for (const worker of [...stack.workers]) await stack.stopWorker(worker);
    await stack.startWorker({ AGENTQ_BLOCK_PRIVATE_WEBHOOK_URLS: 'true' });
    await stack.http.post(`/v1/webhooks/${webhook.id}/test`, {}, setup.tenant.apiKey);
    await waitFor(async () => (await deliveries(webhook.id))[0]?.status === 'failed', 'refusal');
    const [delivery] = await deliveries(webhook.id);
    expect(delivery.attempts).toEqual([
      expect.objectContaining({ statusCode: null, error: expect.stringMatching(/127\.0\.0\.1: /) }),
    ]);
    expect(receiver.received).toHaveLength(0);
  });
});

describe('webhooks: a failing endpoint is disabled after WEBHOOK_DISABLE_AFTER_DAYS', () => {
  // Small enough to watch: deliveries are given up 1 s into their retries, and an endpoint
  // failing for 5 seconds (5/86,400 of a day) is disabled at the next delivery given up.
  const DISABLE_AFTER_MS = 5_000;
  let stack: TestStack;
  let setup: AgentSetup;
  const startReceiver = webhookReceivers();

  beforeAll(async () => {
    stack = await startTestStack({
      env: {
        ...WEBHOOK_ENV,
        WEBHOOK_RETRY_WINDOW_MS: '1000',
        WEBHOOK_DISABLE_AFTER_DAYS: String(DISABLE_AFTER_MS / 86_400_000),
      },
      workers: 1,
    });
    setup = await setUpAgent(stack);
  });

  afterAll(() => stack?.stop());

  interface Shown {
    status: string;
    failingSince: string | null;
    disabledAt: string | null;
    disabledReason: string | null;
  }
  const shown = async (id: string): Promise<Shown> =>
    (await stack.http.get(`/v1/webhooks/${id}`, setup.tenant.apiKey)).body;
  const deliveries = async (id: string): Promise<{ id: string; status: string }[]> =>
    (await stack.http.get(`/v1/webhooks/${id}/deliveries`, setup.tenant.apiKey)).body.data;
  const runExecution = async () => {
    const answer = await stack.http.post(
      `/v1/agents/${setup.agentId}/executions`,
      { input: { message: 'anyone there?' }, wait: 10 },
      setup.tenant.apiKey,
    );
    expect(answer.body.status).toBe('succeeded');
  };
  // Runs one execution and waits until its delivery to `id` is given up.
  const failOneDelivery = async (id: string) => {
    const before = (await deliveries(id)).length;
    await runExecution();
    await waitFor(async () => {
      const list = await deliveries(id);
      return list.length === before + 1 && list[0].status === 'failed';
    }, 'the delivery to be given up');
  };

  it('marks it failing, disables it once failing long enough, and tells the other endpoints', async () => {
    const dead = await startReceiver({ otherwise: 500 });
    const watcher = await startReceiver();
    const create = async (url: string, events: string[]) => {
      const answer = await stack.http.post('/v1/webhooks', { url, events }, setup.tenant.apiKey);
      expect(answer.status).toBe(201);
      return answer.body as { id: string; secret: string };
    };
    const failing = await create(dead.url, ['execution.succeeded']);
    const other = await create(watcher.url, ['webhook.disabled']);

    await failOneDelivery(failing.id);
    const first = await shown(failing.id);
    expect(first).toMatchObject({ status: 'failing', disabledAt: null });
    expect(dead.received.length).toBeGreaterThan(1); // retried before being given up
    const failingSince = new Date(first.failingSince as string).getTime();

    // Given up again well within the limit: still failing, since the first failure.
    await failOneDelivery(failing.id);
    expect(Date.now() - failingSince).toBeLessThan(DISABLE_AFTER_MS);
    expect(await shown(failing.id)).toMatchObject({
      status: 'failing',
      failingSince: first.failingSince,
    });

    // Past the limit, the next delivery given up disables it.
    await new Promise((resolve) =>
      setTimeout(resolve, failingSince + DISABLE_AFTER_MS + 100 - Date.now()),
    );
    await failOneDelivery(failing.id);
    const disabled = await shown(failing.id);
    expect(disabled).toMatchObject({
      status: 'disabled',
      failingSince: first.failingSince,
      disabledReason: expect.stringMatching(/^deliveries failed for /),
    });
    expect(disabled.disabledAt).not.toBeNull();

    // The event: to the tenant's other endpoint, signed, carrying the endpoint as GET shows it.
    await waitFor(async () => watcher.received.length === 1, 'the webhook.disabled event');
    const [event] = watcher.received;
    expect(verifySignature(other.secret, event.headers, event.body)).toBe(true);
    const body = JSON.parse(event.body);
    expect(body.type).toBe('webhook.disabled');
    expect(body.data).toEqual(await shown(failing.id));
    expect(body.data).not.toHaveProperty('secret');

    // Disabled: new outcomes write no delivery to it; the event went nowhere else.
    const sentToDead = dead.received.length;
    const listed = (await deliveries(failing.id)).length;
    await runExecution();
    expect(await deliveries(failing.id)).toHaveLength(listed);
    expect(dead.received).toHaveLength(sentToDead);
    expect(await deliveries(other.id)).toHaveLength(1);

    // Turned back on by request.
    const enabled = await stack.http.patch(
      `/v1/webhooks/${failing.id}`,
      { enabled: true },
      setup.tenant.apiKey,
    );
    expect(enabled.body).toMatchObject({
      status: 'active',
      failingSince: null,
      disabledAt: null,
      disabledReason: null,
    });
  });
});

describe('webhooks: an attempt that PostgreSQL fails to record', () => {
  let stack: TestStack;
  let setup: AgentSetup;
  const startReceiver = webhookReceivers();

  beforeAll(async () => {
    stack = await startTestStack({ env: WEBHOOK_ENV, workers: 1 });
    setup = await setUpAgent(stack);
  });

  afterAll(() => stack?.stop());

  // A real PostgreSQL error at a chosen point: the next `count` attempt records are refused
  // (a sequence, so the count survives the rolled-back transactions it fails).
  const refuseAttemptRecords = async (count: number) => {
    await stack.db.query(`DROP SEQUENCE IF EXISTS fault_refused_attempt_records`);
    await stack.db.query(`CREATE SEQUENCE fault_refused_attempt_records`);
    await stack.db.query(`
      CREATE OR REPLACE FUNCTION fault_refuse_attempt_record() RETURNS trigger AS $$
      BEGIN
        IF nextval('fault_refused_attempt_records') <= ${count} THEN
          RAISE EXCEPTION 'fault injection: attempt record refused';
        END IF;
        RETURN NEW;
      END $$ LANGUAGE plpgsql`);
    await stack.db.query(`
      CREATE OR REPLACE TRIGGER fault_refuse_attempt_record BEFORE INSERT
      ON webhook_delivery_attempts FOR EACH ROW EXECUTE FUNCTION fault_refuse_attempt_record()`);
  };
  const refusedSoFar = async (): Promise<number> =>
    Number(
      (await stack.db.query(`SELECT last_value, is_called FROM fault_refused_attempt_records`))
        .filter((row: { is_called: boolean }) => row.is_called)
        .map((row: { last_value: string }) => row.last_value)[0] ?? 0,
    );
  const testDelivery = async (webhookId: string) => {
    const answer = await stack.http.post(`/v1/webhooks/${webhookId}/test`, {}, setup.tenant.apiKey);
    expect(answer.status).toBe(202);
    return answer.body.id as string;
  };
  const delivery = async (webhookId: string) =>
    (await stack.http.get(`/v1/webhooks/${webhookId}/deliveries`, setup.tenant.apiKey)).body
      .data[0] as { id: string; status: string; attempts: { statusCode: number | null }[] };

  it('is sent again within seconds with the same webhook-id, then recorded', async () => {
    const receiver = await startReceiver();
    const webhook = await stack.http.post(
      '/v1/webhooks',
      { url: receiver.url, events: ['execution.succeeded'] },
      setup.tenant.apiKey,
    );
    await refuseAttemptRecords(1);
    const deliveryId = await testDelivery(webhook.body.id);

    await waitFor(
      async () => (await delivery(webhook.body.id)).status === 'succeeded',
      'the delivery to be recorded',
      15_000,
    );
    expect(await refusedSoFar()).toBe(2);
    expect(receiver.received.map((sent) => sent.headers['webhook-id'])).toEqual([
      deliveryId,
      deliveryId,
    ]);
    expect((await delivery(webhook.body.id)).attempts.map((a) => a.statusCode)).toEqual([200]);
  });

  it('whose job failed for good is not stuck: redeliver sends it', async () => {
    const receiver = await startReceiver();
    const webhook = await stack.http.post(
      '/v1/webhooks',
      { url: receiver.url, events: ['execution.succeeded'] },
      setup.tenant.apiKey,
    );
    const jobTries = webhookDeliveryJobOptions.attempts ?? 1;
    await refuseAttemptRecords(jobTries);
    const deliveryId = await testDelivery(webhook.body.id);
    await waitFor(async () => (await refusedSoFar()) >= jobTries, 'every try to fail', 30_000);
    const queue = stack.workers[0].get<Queue>(getQueueToken(QUEUES.webhookDeliveries));
    await waitFor(async () => {
      const job = await queue.getJob(webhookDeliveryJobId(deliveryId, 1));
      return !job || job.finishedOn !== undefined;
    }, 'the job to be over');
    expect((await delivery(webhook.body.id)).status).toBe('pending');

    const redelivered = await stack.http.post(
      `/v1/webhooks/${webhook.body.id}/deliveries/${deliveryId}/redeliver`,
      {},
      setup.tenant.apiKey,
    );
    expect(redelivered.status).toBe(202);
    await waitFor(
      async () => (await delivery(webhook.body.id)).status === 'succeeded',
      'the redelivery',
      10_000,
    );
    expect(receiver.received).toHaveLength(jobTries + 1);
    expect(new Set(receiver.received.map((sent) => sent.headers['webhook-id']))).toEqual(
      new Set([deliveryId]),
    );
  });
});
