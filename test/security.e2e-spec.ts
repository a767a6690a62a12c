import { randomBytes } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { FakeProviderServer, TEST_MASTER_KEY } from '@agentq/testing';
import { REPO_ROOT } from './support/child-process';
import { dumpDatabase } from './support/database-dump';
import { dumpRedisPrefix } from './support/redis-dump';
import { setUpAgent, waitFor, waitForTerminal } from './support/scenario';
import { startTestStack, TestStack } from './support/test-stack';
import { startToolServer } from './support/tool-server';
import { verifyWebhookSignature, webhookReceivers } from './support/webhook-receiver';

const dataSourceOf = (stack: TestStack) => stack.db;

describe('provider credentials are never readable', () => {
  const canary = `sk-canary-${randomBytes(16).toString('hex')}`;
  let fake: FakeProviderServer;
  let stack: TestStack;

  beforeAll(async () => {
    fake = new FakeProviderServer();
    await fake.start();
    stack = await startTestStack({ workers: 1, env: { LOG_LEVEL: 'verbose' } });
  });

  afterAll(async () => {
    await stack.stop();
    await fake.stop();
  });

  it('finds no plaintext key in the database, Redis or the logs after a full run', async () => {
    // A provider that quotes the key back in its error, as some do.
    fake.when((r) => r.prompt.includes('echo-my-key'), {
      kind: 'error',
      status: 401,
      message: `Incorrect API key provided: ${canary}`,
    });
    const { tenant, agentId, providerId } = await setUpAgent(stack, {
      provider: { name: 'openai', type: 'openai', apiKey: canary, baseUrl: `${fake.url}/v1` },
      agent: { llmConfig: { model: 'gpt-4o-mini' } },
    });
    const ids: string[] = [];
    for (const message of ['hello', 'echo-my-key', 'again']) {
      const answer = await stack.http.post(
        `/v1/agents/${agentId}/executions`,
        { input: { message }, maxAttempts: 1 },
        tenant.apiKey,
      );
      ids.push(answer.body.id);
    }
    for (const id of ids) await waitForTerminal(stack, tenant.apiKey, id);
    const rejected = await stack.http.get(`/v1/executions/${ids[1]}`, tenant.apiKey);
    expect(rejected.body.error.message).toContain('[redacted]');
    const provider = await stack.http.get(`/v1/providers/${providerId}`, tenant.apiKey);
    expect(provider.body.apiKeyLast4).toBe(canary.slice(-4));
    expect(fake.requests[0].headers.authorization).toBe(`Bearer ${canary}`);

    const leaksIn = (text: string) => text.includes(canary.slice(0, -4));
    expect(leaksIn(JSON.stringify(provider.body))).toBe(false);
    expect(leaksIn(await dumpDatabase(dataSourceOf(stack)))).toBe(false);
    expect(leaksIn(await dumpRedisPrefix(stack.config.redis.url, stack.config.redis.prefix))).toBe(
      false,
    );
    expect(stack.log.text().length).toBeGreaterThan(0);
    expect(leaksIn(stack.log.text())).toBe(false);
  });
});

describe('master key rotation (npm run keys:rotate)', () => {
  const newKey = randomBytes(32).toString('base64');
  let fake: FakeProviderServer;
  let stack: TestStack;
  const startReceiver = webhookReceivers();

  beforeAll(async () => {
    fake = new FakeProviderServer();
    await fake.start();
    stack = await startTestStack();
  });

  afterAll(async () => {
    await stack.stop();
    await fake.stop();
  });

  const rotate = (env: NodeJS.ProcessEnv) =>
    spawnSync(process.execPath, [join(REPO_ROOT, 'dist/apps/cli/src/rotate-keys.js')], {
      env: { PATH: process.env.PATH, DATABASE_URL: stack.database.url, ...env },
      encoding: 'utf8',
    });

  it('re-encrypts every credential and webhook secret under the new key, which alone then reads them', async () => {
    const { tenant, agentId } = await setUpAgent(stack, {
      provider: {
        name: 'openai',
        type: 'openai',
        apiKey: 'sk-rotate-me-0000000001',
        baseUrl: `${fake.url}/v1`,
      },
      agent: { llmConfig: { model: 'gpt-4o-mini' } },
    });
    await stack.http.post('/v1/providers', { name: 'echo', type: 'echo' }, tenant.apiKey);
    // A webhook whose secret was rotated: its previous secret still signs for 24 h, so both
    // envelopes must survive the master key's retirement.
    const receiver = await startReceiver();
    const created = await stack.http.post(
      '/v1/webhooks',
      { url: receiver.url, events: ['execution.succeeded'] },
      tenant.apiKey,
    );
    const rotatedSecret = await stack.http.post(
      `/v1/webhooks/${created.body.id}/rotate-secret`,
      {},
      tenant.apiKey,
    );
    expect(rotatedSecret.status).toBe(200);
    // An http tool with a secret header, and the tenant's tool signing secret.
    const tools = await startToolServer();
    const toolSecret = await stack.http.post('/v1/tool-signing-secret/rotate', {}, tenant.apiKey);
    tools.secret = toolSecret.body.secret;
    const toolAgent = await stack.http.post(
      '/v1/agents',
      {
        name: 'tool user',
        role: 'r',
        llmConfig: { model: 'gpt-4o-mini' },
        tools: [
          {
            type: 'http',
            name: 'lookup',
            parameters: { type: 'object' },
            url: `${tools.url}/lookup`,
            headers: { 'X-Api-Key': 'tool-key-rotate-me' },
          },
        ],
      },
      tenant.apiKey,
    );
    expect(toolAgent.status).toBe(201);

    const first = rotate({
      AGENTQ_MASTER_KEY: newKey,
      AGENTQ_PREVIOUS_MASTER_KEYS: TEST_MASTER_KEY,
    });
    expect(first.stdout.trim().split('\n')).toEqual([
      'keys:rotate: 1 provider key(s): 1 re-encrypted, 0 already under the current key, 0 failed',
      'keys:rotate: 1 webhook signing secret(s): 1 re-encrypted, 0 already under the current key, 0 failed',
      'keys:rotate: 1 previous webhook signing secret(s) still valid: 1 re-encrypted, 0 already under the current key, 0 failed',
      'keys:rotate: 1 tool signing secret(s): 1 re-encrypted, 0 already under the current key, 0 failed',
      'keys:rotate: 1 http tool header value(s): 1 re-encrypted, 0 already under the current key, 0 failed',
    ]);
    expect(first.status).toBe(0);
    const again = rotate({
      AGENTQ_MASTER_KEY: newKey,
      AGENTQ_PREVIOUS_MASTER_KEYS: TEST_MASTER_KEY,
    });
    expect(again.stdout.match(/0 re-encrypted, 1 already under the current key/g)).toHaveLength(5);
    // Each row re-encrypted is in the tenant's audit log, by the system, without the secret.
    const resealed = (
      await stack.http.get('/v1/audit-log?limit=100', tenant.apiKey)
    ).body.data.filter((entry: { action: string }) => entry.action.endsWith('resealed'));
    expect(resealed.map((entry: { action: string }) => entry.action).sort()).toEqual([
      'agent.tool_header_resealed',
      'provider.key_resealed',
      'tool_signing_secret.resealed',
      'webhook.previous_secret_resealed',
      'webhook.secret_resealed',
    ]);
    expect(resealed[0].actor.type).toBe('system');

    // A worker that knows only the new key still calls the provider with the same key...
    await stack.startWorker({ AGENTQ_MASTER_KEY: newKey, AGENTQ_PREVIOUS_MASTER_KEYS: '' });
    const answer = await stack.http.post(
      `/v1/agents/${agentId}/executions`,
      { input: { message: 'after rotation' }, wait: 10 },
      tenant.apiKey,
    );
    expect(answer.body.status).toBe('succeeded');
    expect(fake.requests.at(-1)?.headers.authorization).toBe('Bearer sk-rotate-me-0000000001');

    // ...and signs the delivery with both webhook secrets, each checked by the test's own HMAC.
    await waitFor(async () => receiver.received.length === 1, 'the delivery');
    const [delivery] = receiver.received;
    expect(JSON.parse(delivery.body)).toMatchObject({
      type: 'execution.succeeded',
      data: { id: answer.body.id },
    });
    expect(String(delivery.headers['webhook-signature']).split(' ')).toHaveLength(2);
    expect(verifyWebhookSignature(created.body.secret, delivery.headers, delivery.body)).toBe(true);
    expect(verifyWebhookSignature(rotatedSecret.body.secret, delivery.headers, delivery.body)).toBe(
      true,
    );
    expect(verifyWebhookSignature(created.body.secret, delivery.headers, `${delivery.body} `)).toBe(
      false,
    );

    // ...and calls the http tool with its header and the tool signing secret.
    fake
      .when(
        (r) => r.prompt.includes('tool after rotation'),
        {
          kind: 'tool-calls',
          calls: [{ name: 'lookup', arguments: {} }],
        },
        { times: 1 },
      )
      .when((r) => r.prompt.includes('tool after rotation'), { kind: 'reply', text: 'ok' });
    const withTool = await stack.http.post(
      `/v1/agents/${toolAgent.body.id}/executions`,
      { input: { message: 'tool after rotation' }, wait: 10 },
      tenant.apiKey,
    );
    expect(withTool.body.status).toBe('succeeded');
    expect(tools.calls).toHaveLength(1);
    expect(tools.calls[0].headers['x-api-key']).toBe('tool-key-rotate-me');
    expect(tools.calls[0].signatureValid).toBe(true);
    await tools.close();
  });

  it('reports a credential it cannot read and exits non-zero', () => {
    const result = rotate({ AGENTQ_MASTER_KEY: randomBytes(32).toString('base64') });
    expect(result.status).toBe(1);
    expect(result.stdout).toContain(
      '1 provider key(s): 0 re-encrypted, 0 already under the current key, 1 failed',
    );
    expect(result.stdout).toContain(
      '1 webhook signing secret(s): 0 re-encrypted, 0 already under the current key, 1 failed',
    );
    expect(result.stderr).toContain(`webhook signing secret(s): row `);
  });
});

describe('provider destinations (AGENTQ_BLOCK_PRIVATE_PROVIDER_URLS=true)', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await startTestStack({ env: { AGENTQ_BLOCK_PRIVATE_PROVIDER_URLS: 'true' } });
  });

  afterAll(() => stack.stop());

  it.each([
    'http://127.0.0.1:11434/v1',
    'http://169.254.169.254/v1',
    'http://[::1]/v1',
    'http://10.0.0.8/v1',
  ])('refuses %s as a base URL', async (baseUrl) => {
    const tenant = await stack.createTenant();
    const answer = await stack.http.post(
      '/v1/providers',
      { name: 'internal', type: 'openai-compatible', baseUrl },
      tenant.apiKey,
    );
    expect(answer.status).toBe(400);
    expect(answer.body.error.details[0].field).toBe('baseUrl');
  });

  it('refuses a base URL with credentials in it', async () => {
    const tenant = await stack.createTenant();
    const answer = await stack.http.post(
      '/v1/providers',
      { name: 'creds', type: 'openai-compatible', baseUrl: 'https://user:pass@example.com/v1' },
      tenant.apiKey,
    );
    expect(answer.status).toBe(400);
  });
  it.each(['http://127.0.0.1:8080/tool', 'http://169.254.169.254/latest'])(
    'refuses %s as an http tool URL, naming the field',
    async (url) => {
      const { tenant } = await setUpAgent(stack);
      const answer = await stack.http.post(
        '/v1/agents',
        {
          name: 'internal tool',
          role: 'r',
          llmConfig: { model: 'echo-1' },
          tools: [{ type: 'http', name: 'internal', parameters: { type: 'object' }, url }],
        },
        tenant.apiKey,
      );
      expect(answer.status).toBe(400);
      expect(answer.body.error.details[0].field).toBe('tools[0].url');
    },
  );
});
