import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, IncomingHttpHeaders, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { startProcess } from './support/child-process';
import { AgentSetup, setUpAgent, waitFor, waitForTerminal } from './support/scenario';
import { startTestStack, TestStack } from './support/test-stack';

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}

/** A webhook receiver on 127.0.0.1 (a real socket) that answers `statuses` in turn, then 200. */
async function startReceiver(statuses: number[] = []) {
  const received: Received[] = [];
  const server: Server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => {
      received.push({ headers: request.headers, body });
      response.statusCode = statuses.shift() ?? 200;
      response.end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks`,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The receiver's check, written from the Standard Webhooks spec, independent of agentq's code. */
function verifySignature(secret: string, headers: IncomingHttpHeaders, body: string): boolean {
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const signed = `${headers['webhook-id']}.${headers['webhook-timestamp']}.${body}`;
  const expected = createHmac('sha256', key).update(signed).digest();
  return String(headers['webhook-signature'])
    .split(' ')
    .map((entry) => Buffer.from(entry.split(',')[1] ?? '', 'base64'))
    .some(
      (candidate) => candidate.length === expected.length && timingSafeEqual(candidate, expected),
    );
}

const WEBHOOK_ENV = {
  WEBHOOK_DISPATCH_INTERVAL_MS: '200',
  WEBHOOK_RETRY_BASE_MS: '100',
  WEBHOOK_TIMEOUT_MS: '3000',
};

describe('webhooks', () => {
  let stack: TestStack;
  let setup: AgentSetup;

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
    expect(event.data).toEqual(JSON.parse(JSON.stringify(execution)));
    await stack.http.delete(`/v1/webhooks/${webhook.id}`, setup.tenant.apiKey);
    await receiver.close();
  });

  it('signs every delivery (verified by the test’s own HMAC) and retries with backoff after 3 failures', async () => {
    const receiver = await startReceiver([500, 503, 500]);
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
    await receiver.close();
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
    await receiver.close();
  });
});
