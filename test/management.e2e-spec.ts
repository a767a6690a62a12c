import { CredentialCipher } from '@agentq/crypto';
import { DataSource } from 'typeorm';
import { HttpAnswer } from './support/http-client';
import { startTestStack, TestStack, TestTenant } from './support/test-stack';

const OPENAI_KEY = 'sk-proj-e2e-secret-0123456789abcdefWXYZ';
const ROTATED_KEY = 'sk-proj-e2e-rotated-9876543210fedcbaQRST';
const ANTHROPIC_KEY = 'sk-ant-e2e-secret-abcdefghijklmnop0000';
const PROVIDER_KEYS = [OPENAI_KEY, ROTATED_KEY, ANTHROPIC_KEY];
const UNKNOWN_ID = '00000000-0000-4000-8000-000000000000';

describe('management API: tenants, API keys, providers, agents', () => {
  let stack: TestStack;
  let db: DataSource;
  let acme: TestTenant;
  let globex: TestTenant;
  const answers: string[] = [];

  beforeAll(async () => {
    stack = await startTestStack();
    db = stack.db;
    // Every response body, so the last test can check that no provider key ever left the API.
    const request = stack.http.request.bind(stack.http);
    stack.http.request = async (...args: Parameters<typeof request>) => {
      const answer = await request(...args);
      answers.push(typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body));
      return answer;
    };
    acme = await stack.createTenant('acme');
    globex = await stack.createTenant('globex');
  });

  afterAll(() => stack?.stop());

  const http = () => stack.http;
  const count = async (table: string, tenantId: string) =>
    Number(
      (await db.query(`SELECT count(*) AS n FROM ${table} WHERE tenant_id = $1`, [tenantId]))[0].n,
    );

  function expectError(answer: HttpAnswer, status: number, code: string) {
    expect({ status: answer.status, code: answer.body?.error?.code }).toEqual({ status, code });
  }

  async function createProvider(tenant: TestTenant, body: Record<string, unknown>) {
    const answer = await http().post('/v1/providers', body, tenant.apiKey);
    expect(answer.status).toBe(201);
    return answer.body;
  }

  async function createAgent(tenant: TestTenant, body: Record<string, unknown> = {}) {
    const answer = await http().post(
      '/v1/agents',
      { name: 'agent', role: 'Helper', llmConfig: { model: 'echo-1' }, ...body },
      tenant.apiKey,
    );
    expect(answer.status).toBe(201);
    return answer.body;
  }

  describe('health and docs', () => {
    it('answers the probes without a token', async () => {
      expect((await http().get('/health/live')).status).toBe(200);
      expect((await http().get('/health/ready')).status).toBe(200);
    });

    it('describes every management endpoint in /docs-json', async () => {
      const answer = await http().get('/docs-json');
      expect(answer.status).toBe(200);
      const paths = answer.body.paths;
      expect(Object.keys(paths)).toEqual(
        expect.arrayContaining([
          '/v1/admin/tenants',
          '/v1/admin/tenants/{id}/api-keys',
          '/v1/api-keys',
          '/v1/api-keys/{id}',
          '/v1/providers',
          '/v1/providers/{id}',
          '/v1/agents',
          '/v1/agents/{id}',
        ]),
      );
      expect(Object.keys(paths['/v1/agents/{id}'])).toEqual(
        expect.arrayContaining(['get', 'patch', 'delete']),
      );
      const schemas = answer.body.components.schemas;
      expect(schemas.CreateAgentDto.required).toEqual(
        expect.arrayContaining(['name', 'role', 'llmConfig']),
      );
      expect(Object.keys(schemas.ProviderView.properties)).toContain('apiKeyLast4');
      expect(Object.keys(schemas.ProviderView.properties)).not.toContain('apiKey');
      expect(
        paths['/v1/agents'].post.responses['201'].content['application/json'].schema.$ref,
      ).toBe('#/components/schemas/AgentView');
    });
  });

  describe('authentication', () => {
    it('refuses requests without a token or with a bad one', async () => {
      expectError(await http().get('/v1/agents'), 401, 'unauthorized');
      expectError(
        await http().get('/v1/agents', 'aq_not-a-real-key-000000000000'),
        401,
        'unauthorized',
      );
      expectError(await http().get('/v1/agents', 'garbage'), 401, 'unauthorized');
      expectError(
        await http().request('GET', '/v1/agents', {
          headers: { authorization: `Basic ${acme.apiKey}` },
        }),
        401,
        'unauthorized',
      );
    });

    it('keeps the admin endpoints for the admin token', async () => {
      expectError(await http().post('/v1/admin/tenants', { name: 'x' }), 401, 'unauthorized');
      expectError(
        await http().post('/v1/admin/tenants', { name: 'x' }, acme.apiKey),
        401,
        'unauthorized',
      );
      expectError(
        await http().post('/v1/admin/tenants', { name: 'x' }, 'wrong-admin-token-0123456789'),
        401,
        'unauthorized',
      );
      expectError(await http().get('/v1/admin/tenants', acme.apiKey), 401, 'unauthorized');
    });

    it('does not let the admin token act as a tenant', async () => {
      expectError(await http().get('/v1/agents', stack.adminToken), 401, 'unauthorized');
    });
  });

  describe('tenants (admin)', () => {
    it('creates a tenant with a working first key that is shown once', async () => {
      const answer = await http().post('/v1/admin/tenants', { name: 'initech' }, stack.adminToken);
      expect(answer.status).toBe(201);
      expect(answer.body).toEqual({
        id: expect.any(String),
        name: 'initech',
        apiKey: {
          id: expect.any(String),
          prefix: expect.any(String),
          key: expect.stringMatching(/^aq_/),
        },
      });
      expect(answer.body.apiKey.key.startsWith(answer.body.apiKey.prefix)).toBe(true);
      const [row] = await db.query('SELECT name, scopes, key_hash FROM api_keys WHERE id = $1', [
        answer.body.apiKey.id,
      ]);
      expect(row).toMatchObject({ name: 'default', scopes: ['read', 'write'] });
      expect(row.key_hash).not.toContain(answer.body.apiKey.key);
      expect((await http().get('/v1/agents', answer.body.apiKey.key)).status).toBe(200);
    });

    it('lists tenants newest first, page by page', async () => {
      const first = await http().get('/v1/admin/tenants?limit=2', stack.adminToken);
      expect(first.status).toBe(200);
      expect(first.body.data).toHaveLength(2);
      expect(first.body.nextCursor).toEqual(expect.any(String));
      const rest = await http().get(
        `/v1/admin/tenants?cursor=${first.body.nextCursor}`,
        stack.adminToken,
      );
      const names = [...first.body.data, ...rest.body.data].map(
        (tenant: { name: string }) => tenant.name,
      );
      expect(names).toEqual(['initech', 'globex', 'acme']);
      expect(rest.body.nextCursor).toBeNull();
    });

    it('refuses a bad body and writes nothing', async () => {
      const before = Number((await db.query('SELECT count(*) AS n FROM tenants'))[0].n);
      const answer = await http().post(
        '/v1/admin/tenants',
        { name: '', plan: 'gold' },
        stack.adminToken,
      );
      expectError(answer, 400, 'validation_failed');
      expect(answer.body.error.details.map((d: { field: string }) => d.field)).toEqual(
        expect.arrayContaining(['name', 'plan']),
      );
      expect(Number((await db.query('SELECT count(*) AS n FROM tenants'))[0].n)).toBe(before);
    });

    it('issues a recovery key for an existing tenant, and 404 for an unknown one', async () => {
      const answer = await http().post(
        `/v1/admin/tenants/${globex.id}/api-keys`,
        { name: 'recovery' },
        stack.adminToken,
      );
      expect(answer.status).toBe(201);
      expect((await http().get('/v1/api-keys', answer.body.key)).status).toBe(200);
      expectError(
        await http().post(
          `/v1/admin/tenants/${UNKNOWN_ID}/api-keys`,
          { name: 'x' },
          stack.adminToken,
        ),
        404,
        'not_found',
      );
    });
  });

  describe('API keys', () => {
    it('creates a key shown once and lists keys without secrets', async () => {
      const created = await http().post('/v1/api-keys', { name: 'ci' }, acme.apiKey);
      expect(created.status).toBe(201);
      expect(created.body).toEqual({
        id: expect.any(String),
        name: 'ci',
        prefix: expect.any(String),
        key: expect.stringMatching(/^aq_/),
        scopes: ['read', 'write'],
        budgetDailyUsd: null,
        budgetMonthlyUsd: null,
        createdAt: expect.any(String),
      });

      const list = await http().get('/v1/api-keys', acme.apiKey);
      expect(list.status).toBe(200);
      const listed = list.body.data.find((key: { id: string }) => key.id === created.body.id);
      expect(Object.keys(listed).sort()).toEqual(
        [
          'budgetDailyUsd',
          'budgetMonthlyUsd',
          'createdAt',
          'id',
          'lastUsedAt',
          'name',
          'prefix',
          'revokedAt',
          'scopes',
        ].sort(),
      );
      expect(JSON.stringify(list.body)).not.toContain(created.body.key);
      expect(JSON.stringify(list.body)).not.toContain(acme.apiKey);
      expect(list.body.data.map((key: { name: string }) => key.name)).toEqual(['ci', 'default']);
    });

    it('lets a read-only key read but not write', async () => {
      const created = await http().post(
        '/v1/api-keys',
        { name: 'dashboard', scopes: ['read'] },
        acme.apiKey,
      );
      expect(created.body.scopes).toEqual(['read']);
      const readOnly = created.body.key;
      expect((await http().get('/v1/agents', readOnly)).status).toBe(200);
      expect((await http().get('/v1/providers', readOnly)).status).toBe(200);
      expectError(
        await http().post('/v1/providers', { name: 'p', type: 'echo' }, readOnly),
        403,
        'insufficient_scope',
      );
      expectError(
        await http().post('/v1/api-keys', { name: 'escalate' }, readOnly),
        403,
        'insufficient_scope',
      );
    });

    it('never lets a key mint a key with more scopes than it has', async () => {
      const writer = await http().post(
        '/v1/api-keys',
        { name: 'writer', scopes: ['write'] },
        acme.apiKey,
      );
      expectError(
        await http().post('/v1/api-keys', { name: 'reader' }, writer.body.key),
        403,
        'insufficient_scope',
      );
      expectError(
        await http().post('/v1/api-keys', { name: 'reader', scopes: ['read'] }, writer.body.key),
        403,
        'insufficient_scope',
      );
      const sibling = await http().post(
        '/v1/api-keys',
        { name: 'writer-2', scopes: ['write'] },
        writer.body.key,
      );
      expect(sibling.status).toBe(201);
      expect(sibling.body.scopes).toEqual(['write']);
    });

    it('refuses a revoked key at once', async () => {
      const created = await http().post('/v1/api-keys', { name: 'short-lived' }, acme.apiKey);
      const key = created.body.key;
      expect((await http().get('/v1/agents', key)).status).toBe(200);

      expect((await http().delete(`/v1/api-keys/${created.body.id}`, acme.apiKey)).status).toBe(
        204,
      );
      expectError(await http().get('/v1/agents', key), 401, 'unauthorized');
      expect((await http().delete(`/v1/api-keys/${created.body.id}`, acme.apiKey)).status).toBe(
        204,
      );

      const list = await http().get('/v1/api-keys', acme.apiKey);
      const revoked = list.body.data.find((row: { id: string }) => row.id === created.body.id);
      expect(revoked.revokedAt).toEqual(expect.any(String));
      expect(revoked.lastUsedAt).toEqual(expect.any(String));
    });

    it('refuses bad scopes and writes nothing', async () => {
      const before = await count('api_keys', acme.id);
      for (const body of [
        { name: 'x', scopes: ['admin'] },
        { name: 'x', scopes: [] },
        { scopes: ['read'] },
      ]) {
        expectError(await http().post('/v1/api-keys', body, acme.apiKey), 400, 'validation_failed');
      }
      expect(await count('api_keys', acme.id)).toBe(before);
    });
  });

  describe('providers', () => {
    let openai: { id: string };

    it('stores the API key encrypted, bound to the row, and never shows it', async () => {
      const provider = await createProvider(acme, {
        name: 'openai-prod',
        type: 'openai',
        apiKey: OPENAI_KEY,
        pricing: { 'gpt-4o-mini': { inputPerMillion: '0.15', outputPerMillion: '0.60' } },
      });
      openai = provider;
      expect(provider).toEqual({
        id: expect.any(String),
        name: 'openai-prod',
        type: 'openai',
        baseUrl: null,
        hasApiKey: true,
        apiKeyLast4: 'WXYZ',
        isDefault: true,
        isActive: true,
        pricing: { 'gpt-4o-mini': { inputPerMillion: '0.15', outputPerMillion: '0.60' } },
        rateLimit: null,
        settings: {},
        createdAt: expect.any(String),
        updatedAt: expect.any(String),
      });

      const [row] = await db.query('SELECT api_key_ciphertext FROM llm_providers WHERE id = $1', [
        provider.id,
      ]);
      expect(row.api_key_ciphertext).toMatch(/^v1\.[0-9a-f]{8}\./);
      expect(row.api_key_ciphertext).not.toContain(OPENAI_KEY);
      const cipher = new CredentialCipher(stack.config.masterKeys);
      const binding = { tenantId: acme.id, providerId: provider.id };
      expect(cipher.decrypt(row.api_key_ciphertext, binding)).toBe(OPENAI_KEY);
      expect(() =>
        cipher.decrypt(row.api_key_ciphertext, { ...binding, providerId: UNKNOWN_ID }),
      ).toThrow();
    });

    it('checks what each type needs, and writes nothing when the body is bad', async () => {
      const before = await count('llm_providers', acme.id);
      const cases: [Record<string, unknown>, string][] = [
        [{ name: 'a', type: 'openai' }, 'apiKey'],
        [{ name: 'b', type: 'anthropic', apiKey: null }, 'apiKey'],
        [{ name: 'c', type: 'openai-compatible' }, 'baseUrl'],
        [
          { name: 'd', type: 'openai-compatible', baseUrl: 'https://user:pw@llm.example.com/v1' },
          'baseUrl',
        ],
        [{ name: 'e', type: 'openai-compatible', baseUrl: 'file:///etc/passwd' }, 'baseUrl'],
        [{ name: 'f', type: 'bard' }, 'type'],
        [
          {
            name: 'g',
            type: 'echo',
            pricing: { m: { inputPerMillion: 1, outputPerMillion: '1' } },
          },
          'pricing',
        ],
        [{ name: 'h', type: 'echo', settings: { latency: 5 } }, 'settings'],
        [{ name: 'i', type: 'echo', isDefault: null }, 'isDefault'],
        [{ type: 'echo' }, 'name'],
      ];
      for (const [body, field] of cases) {
        const answer = await http().post('/v1/providers', body, acme.apiKey);
        expectError(answer, 400, 'validation_failed');
        expect(answer.body.error.details.map((d: { field: string }) => d.field)).toContain(field);
      }
      expect(await count('llm_providers', acme.id)).toBe(before);
    });

    it('accepts an openai-compatible server without a key, and echo with neither', async () => {
      const ollama = await createProvider(acme, {
        name: 'ollama',
        type: 'openai-compatible',
        baseUrl: 'http://localhost:11434/v1',
        isDefault: false,
      });
      expect(ollama).toMatchObject({ hasApiKey: false, apiKeyLast4: null, isDefault: false });
      await http().delete(`/v1/providers/${ollama.id}`, acme.apiKey);
    });

    it('keeps exactly one default per tenant', async () => {
      const echo = await createProvider(acme, {
        name: 'echo',
        type: 'echo',
        isDefault: true,
        settings: { latencyMs: 5 },
      });
      expect(echo.isDefault).toBe(true);
      expect((await http().get(`/v1/providers/${openai.id}`, acme.apiKey)).body.isDefault).toBe(
        false,
      );

      const back = await http().patch(
        `/v1/providers/${openai.id}`,
        { isDefault: true },
        acme.apiKey,
      );
      expect(back.body.isDefault).toBe(true);
      const list = await http().get('/v1/providers', acme.apiKey);
      expect(
        list.body.data
          .filter((p: { isDefault: boolean }) => p.isDefault)
          .map((p: { id: string }) => p.id),
      ).toEqual([openai.id]);

      await http().patch(`/v1/providers/${echo.id}`, { isDefault: true }, acme.apiKey);
      const [{ n }] = await db.query(
        'SELECT count(*) AS n FROM llm_providers WHERE tenant_id = $1 AND is_default',
        [acme.id],
      );
      expect(Number(n)).toBe(1);
    });

    it('makes concurrent default switches end with one default', async () => {
      const created = await Promise.all(
        ['race-1', 'race-2', 'race-3', 'race-4'].map((name) =>
          http().post('/v1/providers', { name, type: 'echo', isDefault: true }, globex.apiKey),
        ),
      );
      expect(created.map((answer) => answer.status)).toEqual([201, 201, 201, 201]);
      const list = await http().get('/v1/providers', globex.apiKey);
      expect(list.body.data.filter((p: { isDefault: boolean }) => p.isDefault)).toHaveLength(1);
    });

    it('refuses a duplicate name with 409', async () => {
      const answer = await http().post(
        '/v1/providers',
        { name: 'openai-prod', type: 'echo' },
        acme.apiKey,
      );
      expectError(answer, 409, 'provider_name_taken');
      const rename = await http().patch(
        `/v1/providers/${openai.id}`,
        { name: 'echo' },
        acme.apiKey,
      );
      expectError(rename, 409, 'provider_name_taken');
      // Another tenant may use the same name.
      expect(
        (await http().post('/v1/providers', { name: 'openai-prod', type: 'echo' }, globex.apiKey))
          .status,
      ).toBe(201);
    });

    it('rotates the API key on PATCH and keeps it write-only', async () => {
      const [{ api_key_ciphertext: before }] = await db.query(
        'SELECT api_key_ciphertext FROM llm_providers WHERE id = $1',
        [openai.id],
      );
      const current = await http().get(`/v1/providers/${openai.id}`, acme.apiKey);
      const answer = await http().patch(
        `/v1/providers/${openai.id}`,
        { apiKey: ROTATED_KEY },
        acme.apiKey,
      );
      expect(answer.status).toBe(200);
      expect(answer.body.apiKeyLast4).toBe('QRST');
      expect(new Date(answer.body.updatedAt).getTime()).toBeGreaterThan(
        new Date(current.body.updatedAt).getTime(),
      );
      const [{ api_key_ciphertext: after }] = await db.query(
        'SELECT api_key_ciphertext FROM llm_providers WHERE id = $1',
        [openai.id],
      );
      expect(after).not.toBe(before);
      expect(
        new CredentialCipher(stack.config.masterKeys).decrypt(after, {
          tenantId: acme.id,
          providerId: openai.id,
        }),
      ).toBe(ROTATED_KEY);

      expectError(
        await http().patch(`/v1/providers/${openai.id}`, { apiKey: null }, acme.apiKey),
        400,
        'validation_failed',
      );
      const switched = await http().patch(
        `/v1/providers/${openai.id}`,
        { type: 'anthropic', apiKey: ANTHROPIC_KEY, isActive: false, pricing: null },
        acme.apiKey,
      );
      expect(switched.body).toMatchObject({
        type: 'anthropic',
        apiKeyLast4: '0000',
        isActive: false,
        pricing: null,
      });
      await http().patch(
        `/v1/providers/${openai.id}`,
        { type: 'openai', isActive: true },
        acme.apiKey,
      );
    });
  });

  describe('agents', () => {
    let providers: { id: string; name: string; isDefault: boolean }[];
    let defaultProviderId: string;

    beforeAll(async () => {
      providers = (await http().get('/v1/providers', acme.apiKey)).body.data;
      defaultProviderId = providers.find((p) => p.isDefault)!.id;
    });

    it("creates an agent on the tenant's default provider", async () => {
      const answer = await http().post(
        '/v1/agents',
        {
          name: 'researcher',
          role: 'Research assistant',
          backstory: 'Reads papers',
          goal: 'Summarise',
          llmConfig: { model: 'gpt-4o-mini', temperature: 0.3, maxTokens: 256, stop: ['END'] },
          enableMemory: true,
          maxConcurrency: 2,
          space: 'research',
          owner: 'ada',
        },
        acme.apiKey,
      );
      expect(answer.status).toBe(201);
      expect(answer.body).toEqual({
        id: expect.any(String),
        name: 'researcher',
        role: 'Research assistant',
        backstory: 'Reads papers',
        goal: 'Summarise',
        description: null,
        providerId: defaultProviderId,
        llmConfig: { model: 'gpt-4o-mini', temperature: 0.3, maxTokens: 256, stop: ['END'] },
        status: 'active',
        enableMemory: true,
        maxConcurrency: 2,
        concurrencyKey: null,
        maxConcurrencyPerKey: null,
        rateLimitPerKey: null,
        space: 'research',
        owner: 'ada',
        budgetDailyUsd: null,
        budgetMonthlyUsd: null,
        capabilities: [],
        stream: false,
        responseFormat: null,
        tools: [],
        maxSteps: 8,
        actionTimeoutMs: null,
        maxCostUsd: null,
        maxTokens: null,
        inputGuard: null,
        outputGuard: null,
        knowledge: null,
        createdAt: expect.any(String),
        updatedAt: expect.any(String),
      });
      expect((await http().get(`/v1/agents/${answer.body.id}`, acme.apiKey)).body).toEqual(
        answer.body,
      );
    });

    it('uses a named provider, and 404s on another tenant’s provider', async () => {
      const other = providers.find((p) => !p.isDefault)!;
      expect((await createAgent(acme, { providerId: other.id })).providerId).toBe(other.id);
      const globexProvider = (await http().get('/v1/providers', globex.apiKey)).body.data[0];
      const answer = await http().post(
        '/v1/agents',
        { name: 'x', role: 'y', providerId: globexProvider.id, llmConfig: { model: 'm' } },
        acme.apiKey,
      );
      expectError(answer, 404, 'not_found');
    });

    it('answers no_default_provider when there is nothing to fall back on', async () => {
      const lonely = await stack.createTenant('lonely');
      const answer = await http().post(
        '/v1/agents',
        { name: 'x', role: 'y', llmConfig: { model: 'm' } },
        lonely.apiKey,
      );
      expectError(answer, 400, 'no_default_provider');
      expect(await count('agents', lonely.id)).toBe(0);
    });

    it('lists every bad field, llmConfig included, and writes nothing', async () => {
      const before = await count('agents', acme.id);
      const answer = await http().post(
        '/v1/agents',
        {
          name: '',
          role: 'r',
          status: 'sleeping',
          maxConcurrency: 0,
          llmConfig: {
            model: 'm',
            temperature: 3,
            maxTokens: 0,
            topP: 2,
            stop: ['a', 'b', 'c', 'd', 'e'],
            seed: 1,
          },
          colour: 'blue',
        },
        acme.apiKey,
      );
      expectError(answer, 400, 'validation_failed');
      expect(answer.body.error.details.map((d: { field: string }) => d.field)).toEqual(
        expect.arrayContaining([
          'name',
          'status',
          'maxConcurrency',
          'colour',
          'llmConfig.temperature',
          'llmConfig.maxTokens',
          'llmConfig.topP',
          'llmConfig.stop',
          'llmConfig.seed',
        ]),
      );
      expectError(
        await http().post('/v1/agents', { name: 'x', role: 'y' }, acme.apiKey),
        400,
        'validation_failed',
      );
      const malformed = await http().request('POST', '/v1/agents', {
        token: acme.apiKey,
        rawBody: '{"name":',
      });
      expect(malformed.status).toBe(400);
      expect(await count('agents', acme.id)).toBe(before);
    });

    it('pages newest first with a cursor, and filters', async () => {
      const created: string[] = [];
      for (let i = 0; i < 5; i += 1) {
        created.push(
          (await createAgent(globex, { name: `paged-${i}`, status: i % 2 ? 'paused' : 'active' }))
            .id,
        );
      }
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const query: string = cursor ? `?limit=2&cursor=${cursor}` : '?limit=2';
        const page: HttpAnswer = await http().get(`/v1/agents${query}`, globex.apiKey);
        expect(page.status).toBe(200);
        expect(page.body.data.length).toBeLessThanOrEqual(2);
        seen.push(...page.body.data.map((agent: { id: string }) => agent.id));
        cursor = page.body.nextCursor;
      } while (cursor);
      expect(seen).toEqual([...created].reverse());

      const paused = await http().get('/v1/agents?status=paused', globex.apiKey);
      expect(paused.body.data.map((agent: { name: string }) => agent.name)).toEqual([
        'paged-3',
        'paged-1',
      ]);
      expect(paused.body.nextCursor).toBeNull();

      expectError(await http().get('/v1/agents?limit=0', globex.apiKey), 400, 'validation_failed');
      expectError(
        await http().get('/v1/agents?limit=101', globex.apiKey),
        400,
        'validation_failed',
      );
      expectError(
        await http().get('/v1/agents?status=sleeping', globex.apiKey),
        400,
        'validation_failed',
      );
      expectError(
        await http().get('/v1/agents?cursor=not-a-cursor', globex.apiKey),
        400,
        'validation_failed',
      );
    });

    it('patches fields, replaces llmConfig and clears nullable fields', async () => {
      const agent = await createAgent(acme, {
        name: 'patchable',
        backstory: 'old',
        llmConfig: { model: 'a', temperature: 1 },
      });
      const answer = await http().patch(
        `/v1/agents/${agent.id}`,
        { status: 'paused', backstory: null, llmConfig: { model: 'b', topP: 0.5 } },
        acme.apiKey,
      );
      expect(answer.status).toBe(200);
      expect(answer.body).toMatchObject({
        name: 'patchable',
        status: 'paused',
        backstory: null,
        llmConfig: { model: 'b', topP: 0.5 },
      });
      expect(answer.body.llmConfig).not.toHaveProperty('temperature');

      const bad = await http().patch(
        `/v1/agents/${agent.id}`,
        { name: null, llmConfig: { temperature: 0.5 } },
        acme.apiKey,
      );
      expectError(bad, 400, 'validation_failed');
      expect(bad.body.error.details.map((d: { field: string }) => d.field)).toEqual(
        expect.arrayContaining(['name', 'llmConfig.model']),
      );
      expect((await http().get(`/v1/agents/${agent.id}`, acme.apiKey)).body).toEqual(answer.body);
    });

    it('refuses to delete a provider agents use, until they are gone', async () => {
      const provider = await createProvider(acme, { name: 'in-use', type: 'echo' });
      const agent = await createAgent(acme, { providerId: provider.id });
      expectError(
        await http().delete(`/v1/providers/${provider.id}`, acme.apiKey),
        409,
        'provider_in_use',
      );
      expect((await http().get(`/v1/providers/${provider.id}`, acme.apiKey)).status).toBe(200);

      expect((await http().delete(`/v1/agents/${agent.id}`, acme.apiKey)).status).toBe(204);
      expect((await http().delete(`/v1/providers/${provider.id}`, acme.apiKey)).status).toBe(204);
      expectError(await http().get(`/v1/providers/${provider.id}`, acme.apiKey), 404, 'not_found');
    });

    it('refuses to delete an agent with unfinished executions (409, the count), until they end', async () => {
      const agent = await createAgent(acme, { name: 'busy' });
      const unfinished: { id: string }[] = await db.query(
        `INSERT INTO agent_executions (tenant_id, agent_id, input, model, status, attempts, started_at)
         SELECT $1, $2, '{"message":"hi"}', 'echo-1', s, CASE WHEN s = 'queued' THEN 0 ELSE 1 END,
                CASE WHEN s = 'queued' THEN NULL ELSE now() END
           FROM unnest(ARRAY['queued', 'running']) s
         RETURNING id`,
        [acme.id, agent.id],
      );
      const refused = await http().delete(`/v1/agents/${agent.id}`, acme.apiKey);
      expectError(refused, 409, 'agent_has_unfinished_executions');
      expect(refused.body.error.details).toEqual({ unfinishedExecutions: 2 });
      expect((await http().get(`/v1/agents/${agent.id}`, acme.apiKey)).status).toBe(200);

      for (const { id } of unfinished) {
        const cancelled = await http().post(`/v1/executions/${id}/cancel`, {}, acme.apiKey);
        expect(cancelled.body.status).toBe('cancelled');
      }
      expect((await http().delete(`/v1/agents/${agent.id}`, acme.apiKey)).status).toBe(204);
    });

    it('deletes an agent with its memories and executions', async () => {
      const agent = await createAgent(acme, { name: 'doomed' });
      await db.query(
        `INSERT INTO agent_memories (tenant_id, agent_id, type, content, importance) VALUES ($1, $2, 'learning', 'x', 5)`,
        [acme.id, agent.id],
      );
      await db.query(
        `INSERT INTO agent_executions (tenant_id, agent_id, input, model, status, completed_at)
         VALUES ($1, $2, '{"message":"hi"}', 'echo-1', 'failed', now())`,
        [acme.id, agent.id],
      );
      expect((await http().delete(`/v1/agents/${agent.id}`, acme.apiKey)).status).toBe(204);
      expectError(await http().get(`/v1/agents/${agent.id}`, acme.apiKey), 404, 'not_found');
      expectError(await http().delete(`/v1/agents/${agent.id}`, acme.apiKey), 404, 'not_found');
      for (const table of ['agent_memories', 'agent_executions']) {
        const [{ n }] = await db.query(`SELECT count(*) AS n FROM ${table} WHERE agent_id = $1`, [
          agent.id,
        ]);
        expect(Number(n)).toBe(0);
      }
    });
  });

  describe('tenant isolation', () => {
    it("answers 404 for another tenant's ids and malformed ids, and changes nothing", async () => {
      const provider = (await http().get('/v1/providers', acme.apiKey)).body.data[0];
      const agent = await createAgent(acme, { name: 'private' });
      const apiKey = (await http().get('/v1/api-keys', acme.apiKey)).body.data[0];

      const attempts: [string, string, unknown?][] = [
        ['GET', `/v1/agents/${agent.id}`],
        ['PATCH', `/v1/agents/${agent.id}`, { name: 'stolen' }],
        ['DELETE', `/v1/agents/${agent.id}`],
        ['GET', `/v1/providers/${provider.id}`],
        ['PATCH', `/v1/providers/${provider.id}`, { name: 'stolen' }],
        ['DELETE', `/v1/providers/${provider.id}`],
        ['DELETE', `/v1/api-keys/${apiKey.id}`],
        ['GET', `/v1/agents/${UNKNOWN_ID}`],
        ['GET', '/v1/agents/not-a-uuid'],
        ['PATCH', '/v1/providers/not-a-uuid', { name: 'x' }],
        ['DELETE', '/v1/api-keys/1234'],
      ];
      for (const [method, path, body] of attempts) {
        const answer = await http().request(method, path, { token: globex.apiKey, body });
        expect({ method, path, status: answer.status, code: answer.body.error?.code }).toEqual({
          method,
          path,
          status: 404,
          code: 'not_found',
        });
      }

      expect((await http().get(`/v1/agents/${agent.id}`, acme.apiKey)).body.name).toBe('private');
      expect((await http().get(`/v1/providers/${provider.id}`, acme.apiKey)).body.name).toBe(
        provider.name,
      );
      const keys = (await http().get('/v1/api-keys', acme.apiKey)).body.data;
      expect(keys.find((key: { id: string }) => key.id === apiKey.id).revokedAt).toBe(
        apiKey.revokedAt,
      );
      const globexAgents = (await http().get('/v1/agents?limit=100', globex.apiKey)).body.data;
      expect(globexAgents.map((a: { id: string }) => a.id)).not.toContain(agent.id);
      const globexProviders = (await http().get('/v1/providers', globex.apiKey)).body.data;
      expect(globexProviders.map((p: { id: string }) => p.id)).not.toContain(provider.id);
    });
  });

  it('never returned a provider API key in any response', () => {
    expect(answers.length).toBeGreaterThan(50);
    for (const key of PROVIDER_KEYS) {
      expect(answers.filter((body) => body.includes(key))).toEqual([]);
    }
    expect(
      answers.filter((body) => body.includes('v1.') && /v1\.[0-9a-f]{8}\./.test(body)),
    ).toEqual([]);
  });
});
