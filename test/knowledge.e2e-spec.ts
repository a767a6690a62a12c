import { FakeProviderServer } from '@agentq/testing';
import { waitFor, waitForTerminal } from './support/scenario';
import { startTestStack, TestStack, TestTenant } from './support/test-stack';

/**
 * The knowledge base over HTTP with a worker: entries, versions, chunks, embeddings through the
 * echo provider and through an OpenAI-compatible server (the fake, on the real wire format),
 * hybrid search with visibility, memory search, and the bad inputs. One stack for every test.
 */
describe('knowledge', () => {
  const fake = new FakeProviderServer();
  let stack: TestStack;
  let tenant: TestTenant;
  let other: TestTenant;
  let echoProviderId: string;
  let agentA: string;
  let agentB: string;
  let otherAgent: string;

  beforeAll(async () => {
    await fake.start();
    stack = await startTestStack({ workers: 1 });
    tenant = await stack.createTenant('knowledge');
    other = await stack.createTenant('other');
    const provider = await post('/v1/providers', { name: 'echo', type: 'echo', isDefault: true });
    echoProviderId = provider.body.id;
    agentA = (await post('/v1/agents', agentBody('a'))).body.id;
    agentB = (await post('/v1/agents', agentBody('b'))).body.id;
    await post('/v1/providers', { name: 'echo', type: 'echo', isDefault: true }, other.apiKey);
    otherAgent = (await post('/v1/agents', agentBody('x'), other.apiKey)).body.id;
  });

  afterEach(() => fake.clear());

  afterAll(async () => {
    await stack?.stop();
    await fake.stop();
  });

  const agentBody = (name: string) => ({ name, role: 'helper', llmConfig: { model: 'echo-1' } });
  const post = (path: string, body: unknown, apiKey = tenant.apiKey) =>
    stack.http.post(path, body, apiKey);
  const get = (path: string, apiKey = tenant.apiKey) => stack.http.get(path, apiKey);
  const entryCount = async () =>
    (await stack.db.query(`SELECT count(*)::int AS n FROM knowledge_entries`))[0].n as number;

  const ready = (id: string, apiKey = tenant.apiKey) =>
    waitFor(async () => {
      const entry = await get(`/v1/knowledge/${id}`, apiKey);
      return entry.body.embeddingStatus === 'ready' && entry.body;
    }, `entry ${id} embedded`);

  it('keeps versions of edits, shows its chunks, and embeds them with the echo provider', async () => {
    const created = await post('/v1/knowledge', {
      type: 'documentation',
      title: 'Backups',
      content: 'Run pg_dump nightly and copy the dump to object storage.',
      tags: ['operations'],
      collection: 'runbooks',
      confidence: 0.9,
      source: { kind: 'reference', reference: 'https://wiki.example/backups' },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ version: 1, embeddingStatus: 'pending' });
    const id = created.body.id;

    const edited = await stack.http.patch(
      `/v1/knowledge/${id}`,
      { content: 'Run pg_dump nightly in custom format; restore with pg_restore.' },
      tenant.apiKey,
    );
    expect(edited.body).toMatchObject({ version: 2, embeddingStatus: 'pending' });
    const versions = await get(`/v1/knowledge/${id}/versions`);
    expect(versions.body.data.map((v: { version: number }) => v.version)).toEqual([2, 1]);
    expect((await get(`/v1/knowledge/${id}/versions/1`)).body.content).toContain('object storage');
    expect((await get(`/v1/knowledge/${id}/versions/3`)).status).toBe(404);

    const entry = await ready(id);
    expect(entry.version).toBe(2);
    const chunks = await get(`/v1/knowledge/${id}/chunks`);
    expect(chunks.body.data).toEqual([
      expect.objectContaining({
        ordinal: 0,
        startToken: 0,
        embeddingModel: 'echo-embedding',
        embeddingDimensions: 384,
      }),
    ]);
    const usage = await get('/v1/knowledge/usage');
    expect(usage.body.data).toEqual([
      expect.objectContaining({ model: 'echo-embedding', costUsd: '0.000000000' }),
    ]);
    expect(usage.body.data[0].tokens).toBeGreaterThan(0);
  });

  it('lists newest first with a cursor and filters by type, tag and collection', async () => {
    for (const [i, type] of ['rule', 'pattern', 'rule'].entries()) {
      await post('/v1/knowledge', {
        type,
        title: `listed ${i}`,
        content: `listed entry ${i}`,
        tags: [`list-${i}`],
        collection: 'listing',
      });
    }
    const first = await get('/v1/knowledge?collection=listing&limit=2');
    expect(first.body.data.map((e: { title: string }) => e.title)).toEqual([
      'listed 2',
      'listed 1',
    ]);
    const second = await get(
      `/v1/knowledge?collection=listing&limit=2&cursor=${first.body.nextCursor}`,
    );
    expect(second.body.data.map((e: { title: string }) => e.title)).toEqual(['listed 0']);
    expect(second.body.nextCursor).toBeNull();
    const rules = await get('/v1/knowledge?collection=listing&type=rule');
    expect(rules.body.data).toHaveLength(2);
    const tagged = await get('/v1/knowledge?tag=list-1');
    expect(tagged.body.data.map((e: { title: string }) => e.title)).toEqual(['listed 1']);
  });

  it('fills a template’s placeholders', async () => {
    const template = await post('/v1/knowledge', {
      type: 'template',
      title: 'handover',
      content: 'Hand {{input.ticket}} over to {{input.owner.name}}.',
    });
    const rendered = await post(`/v1/knowledge/${template.body.id}/render`, {
      values: { ticket: 'T-7', owner: { name: 'Ada' } },
    });
    expect(rendered.body).toEqual({
      content: 'Hand T-7 over to Ada.',
      placeholders: ['ticket', 'owner.name'],
    });
  });

  it('searches hybrid with highlighted snippets, and enforces visibility per agent', async () => {
    const shared = await post('/v1/knowledge', {
      type: 'rule',
      title: 'Redis eviction',
      content: 'Redis must run with maxmemory-policy noeviction so queued jobs are never dropped.',
      visibility: 'agents',
      agentIds: [agentA],
    });
    const secret = await post('/v1/knowledge', {
      type: 'analysis',
      title: 'Eviction incident',
      content: 'Agent B analysis: the Redis eviction incident lost queued jobs.',
      visibility: 'private',
      ownerAgentId: agentB,
    });
    await ready(shared.body.id);
    await ready(secret.body.id);

    const search = (body: Record<string, unknown>, apiKey = tenant.apiKey) =>
      post(
        '/v1/knowledge/search',
        { query: 'redis eviction of queued jobs', k: 5, ...body },
        apiKey,
      );
    const asTenant = await search({});
    expect(asTenant.status).toBe(200);
    expect(asTenant.body.meta).toMatchObject({
      mode: 'hybrid',
      vectorBackend: 'exact',
      embeddingModel: 'echo-embedding',
    });
    const ids = (answer: { body: { data: { entry: { id: string } }[] } }) =>
      answer.body.data.map((hit) => hit.entry.id);
    expect(ids(asTenant)).toEqual(expect.arrayContaining([shared.body.id, secret.body.id]));
    expect(asTenant.body.data[0].chunk.snippet).toContain('<mark>');
    expect(asTenant.body.data[0].score).toBeGreaterThan(0);

    expect(ids(await search({ agentId: agentA }))).toContain(shared.body.id);
    expect(ids(await search({ agentId: agentA }))).not.toContain(secret.body.id);
    expect(ids(await search({ agentId: agentB }))).toContain(secret.body.id);
    expect(ids(await search({ agentId: agentB }))).not.toContain(shared.body.id);

    // Another tenant sees none of it, and reads of the entry are 404.
    expect((await search({}, other.apiKey)).body.data).toEqual([]);
    expect((await get(`/v1/knowledge/${shared.body.id}`, other.apiKey)).status).toBe(404);
    const rules = await search({ types: ['rule'] });
    expect(ids(rules)[0]).toBe(shared.body.id);
    expect(
      rules.body.data.every((hit: { entry: { type: string } }) => hit.entry.type === 'rule'),
    ).toBe(true);
  });

  it('searches an agent’s memories by words, by meaning or both', async () => {
    const memory = await post(`/v1/agents/${agentA}/memories`, {
      type: 'learning',
      content: 'The customer prefers invoices in French.',
    });
    expect(memory.status).toBe(201);
    const found = await waitFor(async () => {
      const answer = await post(`/v1/agents/${agentA}/memories/search`, {
        query: 'which language for billing documents',
        mode: 'semantic',
      });
      return answer.body.data.length > 0 && answer.body;
    }, 'the memory embedded');
    expect(found.data[0].memoryId).toBe(memory.body.id);
    const lexical = await post(`/v1/agents/${agentA}/memories/search`, {
      query: 'invoices French',
      mode: 'lexical',
    });
    expect(lexical.body.data.map((hit: { memoryId: string }) => hit.memoryId)).toEqual([
      memory.body.id,
    ]);
    const otherAgents = await post(`/v1/agents/${agentB}/memories/search`, {
      query: 'invoices French',
    });
    expect(otherAgents.body.data).toEqual([]);
    expect((await post(`/v1/agents/${otherAgent}/memories/search`, { query: 'x' })).status).toBe(
      404,
    );
  });

  it('answers 400 naming the field, or 404 for another tenant’s agent, and writes nothing', async () => {
    const before = await entryCount();
    const tooLong = await post('/v1/knowledge', {
      type: 'documentation',
      title: 'big',
      content: 'x'.repeat(1024 * 1024 + 1),
    });
    expect(tooLong.status).toBe(400);
    expect(tooLong.body.error.details).toEqual([expect.objectContaining({ field: 'content' })]);
    const badType = await post('/v1/knowledge', { type: 'novel', title: 't', content: 'c' });
    expect(badType.status).toBe(400);
    expect(badType.body.error.details).toEqual([expect.objectContaining({ field: 'type' })]);
    const foreignAccess = await post('/v1/knowledge', {
      type: 'rule',
      title: 't',
      content: 'c',
      visibility: 'agents',
      agentIds: [otherAgent],
    });
    expect(foreignAccess.status).toBe(400);
    expect(foreignAccess.body.error.details).toEqual([
      expect.objectContaining({ field: 'agentIds' }),
    ]);
    expect(await entryCount()).toBe(before);

    const bigK = await post('/v1/knowledge/search', { query: 'x', k: 51 });
    expect(bigK.status).toBe(400);
    expect(bigK.body.error.details).toEqual([expect.objectContaining({ field: 'k' })]);
    const foreignAgent = await post('/v1/knowledge/search', { query: 'x', agentId: otherAgent });
    expect(foreignAgent.status).toBe(404);
  });

  it('embeds through an OpenAI-compatible /v1/embeddings, waits out a 429, and re-embeds on a model change with the old vectors serving', async () => {
    const ollama = await post('/v1/providers', {
      name: 'ollama',
      type: 'openai-compatible',
      baseUrl: `${fake.url}/v1`,
    });
    const entry = await post('/v1/knowledge', {
      type: 'pattern',
      title: 'Webhook signatures',
      content: 'Verify webhook deliveries with HMAC-SHA256 over id, timestamp and body.',
    });
    await ready(entry.body.id);
    // A 429 first (the job pauses the provider and tries again), then the new model's first
    // answer is held until the old vectors are seen serving.
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    fake.script([
      { kind: 'error', status: 429, retryAfterMs: 50 },
      { kind: 'held', until: held },
    ]);
    const changed = await stack.http.request('PUT', '/v1/knowledge/settings', {
      token: tenant.apiKey,
      body: { providerId: ollama.body.id, model: 'nomic-embed-text' },
    });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({
      model: 'nomic-embed-text',
      servingModel: 'echo-embedding',
      reembedding: true,
    });
    // While re-embedding, searches still use the echo vectors.
    await fake.waitForRequests(2);
    const during = await post('/v1/knowledge/search', { query: 'webhook signature', k: 3 });
    expect(during.body.meta.embeddingModel).toBe('echo-embedding');
    expect(during.body.data[0].entry.id).toBe(entry.body.id);
    release();

    const settings = await waitFor(async () => {
      const answer = await get('/v1/knowledge/settings');
      return answer.body.servingModel === 'nomic-embed-text' && answer.body;
    }, 'the new model serving');
    expect(settings.reembedding).toBe(false);
    const embeddingCalls = fake.requests.filter((r) => r.api === 'openai-embeddings');
    expect(embeddingCalls[0].body).toMatchObject({ model: 'nomic-embed-text' });
    expect(embeddingCalls.length).toBeGreaterThanOrEqual(2); // the 429, then the batches
    const after = await post('/v1/knowledge/search', { query: 'webhook signature', k: 3 });
    expect(after.body.meta.embeddingModel).toBe('nomic-embed-text');
    expect(after.body.data[0].entry.id).toBe(entry.body.id);
    const usage = await get('/v1/knowledge/usage');
    expect(usage.body.data.map((row: { model: string }) => row.model)).toContain(
      'nomic-embed-text',
    );

    // Back to echo for the next test.
    await stack.http.request('PUT', '/v1/knowledge/settings', {
      token: tenant.apiKey,
      body: { providerId: echoProviderId, model: 'echo-embedding' },
    });
  });

  it('leaves an entry searchable by words when its provider fails, and marks it failed', async () => {
    const broken = await post(
      '/v1/providers',
      { name: 'broken', type: 'openai-compatible', baseUrl: `${fake.url}/v1` },
      other.apiKey,
    );
    fake.setDefault({ kind: 'error', status: 400, message: 'model not found' });
    await stack.http.request('PUT', '/v1/knowledge/settings', {
      token: other.apiKey,
      body: { providerId: broken.body.id, model: 'missing-model' },
    });
    const entry = await post(
      '/v1/knowledge',
      {
        type: 'rule',
        title: 'Deadlines',
        content: 'Keep provider timeouts below the lock duration.',
      },
      other.apiKey,
    );
    const failed = await waitFor(async () => {
      const answer = await get(`/v1/knowledge/${entry.body.id}`, other.apiKey);
      return answer.body.embeddingStatus === 'failed' && answer.body;
    }, 'the entry marked failed');
    expect(failed.embeddingError).toContain('model not found');
    const found = await post(
      '/v1/knowledge/search',
      { query: 'provider timeouts', mode: 'hybrid' },
      other.apiKey,
    );
    expect(found.body.data.map((hit: { entry: { id: string } }) => hit.entry.id)).toEqual([
      entry.body.id,
    ]);
    expect(found.body.meta.degraded).toBeDefined();
  });

  it('puts the top entries into an agent’s prompt within maxTokens, records them, and serves search_knowledge in a tool loop', async () => {
    const chat = await post('/v1/providers', {
      name: 'chat',
      type: 'openai-compatible',
      baseUrl: `${fake.url}/v1`,
    });
    const runbook = await post('/v1/knowledge', {
      type: 'documentation',
      title: 'Rotating certificates',
      content: 'Certificates are rotated with certbot renew every sixty days; reload nginx after.',
      collection: 'agent-runbooks',
    });
    await ready(runbook.body.id);
    const knowledge = { enabled: true, collections: ['agent-runbooks'], topK: 3, maxTokens: 400 };
    const agent = await post('/v1/agents', {
      name: 'ops',
      role: 'operations assistant',
      providerId: chat.body.id,
      llmConfig: { model: 'chat-model' },
      knowledge,
    });
    expect(agent.body.knowledge).toEqual(knowledge);
    const marker = 'knowledge-prompt-marker';
    fake.when((r) => r.api === 'openai' && r.prompt.includes(marker), {
      kind: 'reply',
      text: 'ok',
    });
    const submitted = await post(`/v1/agents/${agent.body.id}/executions`, {
      input: { message: `${marker}: how do we rotate certificates?` },
    });
    const done = await waitForTerminal(stack, tenant.apiKey, submitted.body.id);
    expect(done).toMatchObject({ status: 'succeeded', knowledgeIds: [runbook.body.id] });
    const system = fake.requests.find((r) => r.prompt.includes(marker))!.prompt;
    expect(system).toContain('[1] Rotating certificates (documentation)');
    expect(system).toContain('certbot renew');

    // With tools, the model may search on demand: search_knowledge is offered and answered.
    const toolAgent = await post('/v1/agents', {
      name: 'ops-tools',
      role: 'operations assistant',
      providerId: chat.body.id,
      llmConfig: { model: 'chat-model' },
      knowledge,
      tools: [
        {
          type: 'client',
          name: 'page_human',
          description: 'asks a person',
          parameters: { type: 'object', properties: {} },
        },
      ],
    });
    const toolMarker = 'knowledge-tool-marker';
    fake
      .when(
        (r) =>
          r.api === 'openai' &&
          r.prompt.includes(toolMarker) &&
          !JSON.stringify(r.body.messages).includes('"role":"tool"'),
        {
          kind: 'tool-calls',
          calls: [{ name: 'search_knowledge', arguments: { query: 'certbot', k: 2 } }],
        },
        { times: 1 },
      )
      .when((r) => r.api === 'openai' && r.prompt.includes(toolMarker), {
        kind: 'reply',
        text: 'found it',
      });
    const looped = await post(`/v1/agents/${toolAgent.body.id}/executions`, {
      input: { message: `${toolMarker}: anything?` },
    });
    const loopDone = await waitForTerminal(stack, tenant.apiKey, looped.body.id);
    expect(loopDone).toMatchObject({ status: 'succeeded', output: { text: 'found it' } });
    const offered = fake.requests.find((r) => r.prompt.includes(toolMarker))!.body.tools as {
      function: { name: string };
    }[];
    expect(offered.map((tool) => tool.function.name)).toEqual(['page_human', 'search_knowledge']);
    const steps = (await get(`/v1/executions/${looped.body.id}/steps`)).body;
    const toolStep = steps.find((step: { type: string }) => step.type === 'tool');
    expect(toolStep).toMatchObject({ name: 'search_knowledge', error: null });
    expect(JSON.parse(toolStep.result).results[0]).toMatchObject({ id: runbook.body.id });
  });

  it('stores an execution’s or a plan task’s output as an entry with saveOutputAs', async () => {
    const saveOutputAs = {
      type: 'analysis',
      title: 'Echo analysis',
      tags: ['saved'],
      collection: 'outputs',
    };
    const submitted = await post(`/v1/agents/${agentA}/executions`, {
      input: { message: 'summarise the backups runbook' },
      saveOutputAs,
    });
    expect(submitted.status).toBe(202);
    expect(submitted.body.saveOutputAs).toEqual(saveOutputAs);
    const done = await waitForTerminal(stack, tenant.apiKey, submitted.body.id);
    expect(done.status).toBe('succeeded');
    const saved = await waitFor(async () => {
      const list = await get('/v1/knowledge?collection=outputs');
      return list.body.data.find(
        (e: { source: { executionId?: string } | null }) => e.source?.executionId === done.id,
      );
    }, 'the output saved as an entry');
    expect(saved).toMatchObject({
      type: 'analysis',
      title: 'Echo analysis',
      tags: ['saved'],
      content: done.output.text,
      source: { kind: 'execution', executionId: done.id },
    });
    await ready(saved.id);

    const plan = await post('/v1/plans', {
      title: 'saved plan',
      tasks: [
        {
          key: 'draft',
          agentId: agentA,
          input: { message: 'draft the handover' },
          saveOutputAs: { type: 'handover', title: 'Drafted handover', collection: 'outputs' },
        },
      ],
    });
    expect(plan.status).toBe(202);
    await waitFor(async () => {
      const list = await get('/v1/knowledge?collection=outputs&type=handover');
      return list.body.data.length === 1 && list.body.data[0];
    }, 'the plan task’s output saved');
    const bad = await post(`/v1/agents/${agentA}/executions`, {
      input: { message: 'x' },
      saveOutputAs: { type: 'novel', title: 't' },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details).toEqual([
      expect.objectContaining({ field: 'saveOutputAs.type' }),
    ]);
  });

  it('reports the vector path in /health/ready', async () => {
    const health = await stack.http.get('/health/ready');
    expect(health.body.info.knowledge).toEqual({
      status: 'up',
      vectorBackend: 'exact',
      pgvectorAvailable: false,
    });
  });
});
