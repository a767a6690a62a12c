import { FakeProviderServer } from '@agentq/testing';
import { DataSource } from 'typeorm';
import { TestTenant } from './support/test-stack';
import { waitFor, waitForTerminal } from './support/scenario';
import { ServerSentEvent, takeEvents } from './support/sse-client';
import { startTestStack, TestStack } from './support/test-stack';

// Opens an SSE stream with fetch and collects its events.
async function openEventStream(url: string, apiKey: string, headers: Record<string, string> = {}) {
  const controller = new AbortController();
  const response = await fetch(url, {
    headers: { authorization: `Bearer ${apiKey}`, accept: 'text/event-stream', ...headers },
    signal: controller.signal,
  });
  const events: ServerSentEvent[] = [];
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  void (async () => {
    let buffer = '';
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        const taken = takeEvents(buffer + value);
        buffer = taken.rest;
        events.push(...taken.events);
      }
    } catch {
      // aborted
    }
  })();
  return {
    response,
    events,
    close: () => controller.abort(),
    waitFor: (what: string, predicate: (event: ServerSentEvent) => boolean) =>
      waitFor(async () => events.find(predicate), what, 10_000),
  };
}

describe('agent context: memories, sessions, handoffs', () => {
  const fake = new FakeProviderServer();
  let stack: TestStack;
  let tenant: TestTenant;
  let providerId: string;
  let db: DataSource;

  beforeAll(async () => {
    await fake.start();
    stack = await startTestStack({
      workers: 1,
      env: {
        MAX_HANDOFF_DEPTH: '3',
        SESSION_EVENTS_POLL_MS: '100',
        MEMORY_PROMPT_TOKEN_BUDGET: '200',
      },
    });
    db = stack.db;
    tenant = await stack.createTenant();
    const provider = await post('/v1/providers', {
      name: 'fake',
      type: 'openai-compatible',
      baseUrl: `${fake.url}/v1`,
      isDefault: true,
    });
    expect(provider.status).toBe(201);
    providerId = provider.body.id;
  });

  afterEach(() => fake.clear());

  afterAll(async () => {
    await stack.stop();
    await fake.stop();
  });

  const post = (path: string, body: unknown, apiKey = tenant.apiKey) =>
    stack.http.post(path, body, apiKey);
  const get = (path: string, apiKey = tenant.apiKey) => stack.http.get(path, apiKey);

  async function createAgent(name: string, overrides: Record<string, unknown> = {}) {
    const answer = await post('/v1/agents', {
      name,
      role: `The ${name} agent`,
      providerId,
      llmConfig: { model: `model-${name}` },
      ...overrides,
    });
    expect(answer.status).toBe(201);
    return answer.body.id as string;
  }

  async function createMemory(agentId: string, body: Record<string, unknown>) {
    const answer = await post(`/v1/agents/${agentId}/memories`, body);
    expect(answer.status).toBe(201);
    return answer.body.id as string;
  }

  async function createSession(body: Record<string, unknown> = {}) {
    const answer = await post('/v1/sessions', body);
    expect(answer.status).toBe(201);
    return answer.body.id as string;
  }

  const requestsFor = (model: string) => fake.requests.filter((r) => r.model === model);
  const messagesOf = (request: { body: Record<string, unknown> }) =>
    request.body.messages as { role: string; content: string }[];
  const systemPromptOf = (request: { body: Record<string, unknown> }) =>
    messagesOf(request).find((m) => m.role === 'system')?.content as string;

  async function sessionEvents(sessionId: string) {
    const answer = await get(`/v1/sessions/${sessionId}/events?limit=100`);
    expect(answer.status).toBe(200);
    return answer.body.data as { type: string; executionId: string; payload: any }[];
  }

  describe('memories', () => {
    it('are created, listed, searched by rank, changed and deleted', async () => {
      const agentId = await createAgent('librarian');
      const pdf = await createMemory(agentId, {
        type: 'learning',
        content: 'The customer prefers invoices in PDF format',
        importance: 3,
      });
      const terms = await createMemory(agentId, {
        type: 'learning',
        content: 'Invoices are due in 30 days; invoices over 10k need an approval',
        importance: 2,
      });
      const churn = await createMemory(agentId, {
        type: 'goal',
        content: 'Reduce churn of enterprise customers',
        importance: 9,
      });
      const email = await createMemory(agentId, {
        type: 'context',
        content: 'The customer wants invoices sent by email',
        importance: 8,
        metadata: { source: 'crm' },
      });

      const all = await get(`/v1/agents/${agentId}/memories`);
      expect(all.body.data.map((m: { id: string }) => m.id)).toEqual([email, churn, terms, pdf]);
      expect(all.body.data[0]).toMatchObject({
        agentId,
        type: 'context',
        importance: 8,
        metadata: { source: 'crm' },
        lastAccessedAt: null,
      });
      const firstPage = await get(`/v1/agents/${agentId}/memories?limit=3`);
      const secondPage = await get(
        `/v1/agents/${agentId}/memories?limit=3&cursor=${firstPage.body.nextCursor}`,
      );
      expect(secondPage.body).toMatchObject({ data: [{ id: pdf }], nextCursor: null });

      // Two mentions outrank one; among equal ranks the more important memory comes first.
      const found = await get(`/v1/agents/${agentId}/memories?q=invoice`);
      expect(found.status).toBe(200);
      expect(found.body.data.map((m: { id: string }) => m.id)).toEqual([terms, email, pdf]);
      expect(found.body.data[0].rank).toBeGreaterThan(found.body.data[1].rank);
      expect(found.body.nextCursor).toBeNull();
      expect((await get(`/v1/agents/${agentId}/memories?q=enterprise+churn`)).body.data).toEqual([
        expect.objectContaining({ id: churn }),
      ]);
      expect((await get(`/v1/agents/${agentId}/memories?type=goal`)).body.data).toHaveLength(1);

      const changed = await stack.http.patch(
        `/v1/agents/${agentId}/memories/${pdf}`,
        { importance: 10 },
        tenant.apiKey,
      );
      expect(changed.body).toMatchObject({ id: pdf, importance: 10 });
      const reordered = await get(`/v1/agents/${agentId}/memories?q=invoice`);
      expect(reordered.body.data.map((m: { id: string }) => m.id)).toEqual([terms, pdf, email]);

      expect(
        (await stack.http.delete(`/v1/agents/${agentId}/memories/${churn}`, tenant.apiKey)).status,
      ).toBe(204);
      expect((await get(`/v1/agents/${agentId}/memories/${churn}`)).status).toBe(404);
      expect(
        (await stack.http.delete(`/v1/agents/${agentId}/memories/${churn}`, tenant.apiKey)).status,
      ).toBe(404);
    });

    it('refuse bad bodies and stay invisible to other tenants', async () => {
      const agentId = await createAgent('guarded');
      const bad = await post(`/v1/agents/${agentId}/memories`, {
        type: 'dream',
        content: '',
        importance: 11,
      });
      expect(bad.status).toBe(400);
      expect(bad.body.error.details.map((d: { field: string }) => d.field).sort()).toEqual([
        'content',
        'importance',
        'type',
      ]);
      const memoryId = await createMemory(agentId, { type: 'context', content: 'secret' });
      const other = await stack.createTenant('other');
      expect((await get(`/v1/agents/${agentId}/memories`, other.apiKey)).status).toBe(404);
      expect((await get(`/v1/agents/${agentId}/memories/${memoryId}`, other.apiKey)).status).toBe(
        404,
      );
      expect(
        (await post(`/v1/agents/${agentId}/memories`, { type: 'goal', content: 'x' }, other.apiKey))
          .status,
      ).toBe(404);
    });

    it('reach the prompt the provider receives, most relevant first, within the token budget', async () => {
      const agentId = await createAgent('rememberer', { enableMemory: true });
      const region = await createMemory(agentId, {
        type: 'context',
        content: 'Our Kubernetes clusters run in eu-west-1',
        importance: 2,
      });
      const colour = await createMemory(agentId, {
        type: 'learning',
        content: 'The team mascot is a green heron',
        importance: 7,
      });
      const huge = await createMemory(agentId, {
        type: 'context',
        content: `Kubernetes runbook: ${'restart the pods and check the logs. '.repeat(60)}`,
        importance: 10,
      });

      const answer = await post(`/v1/agents/${agentId}/executions`, {
        input: { message: 'Where do our kubernetes clusters run?' },
        wait: 10,
      });
      expect(answer.status).toBe(200);
      expect(answer.body.status).toBe('succeeded');
      // The runbook is relevant but does not fit the 200-token budget; the mascot fits after it.
      expect(answer.body.memoryIds).toEqual([region, colour]);

      const [request] = requestsFor('model-rememberer');
      const system = systemPromptOf(request);
      expect(system).toContain('## What you remember');
      expect(system.indexOf('eu-west-1')).toBeLessThan(system.indexOf('green heron'));
      expect(system).not.toContain('runbook');

      const used = await get(`/v1/agents/${agentId}/memories/${region}`);
      expect(used.body.lastAccessedAt).not.toBeNull();
      expect((await get(`/v1/agents/${agentId}/memories/${huge}`)).body.lastAccessedAt).toBeNull();
    });

    it('stay out of the prompt of an agent without enableMemory', async () => {
      const agentId = await createAgent('forgetful');
      await createMemory(agentId, { type: 'context', content: 'Kubernetes runs in eu-west-1' });
      const answer = await post(`/v1/agents/${agentId}/executions`, {
        input: { message: 'Where does kubernetes run?' },
        wait: 10,
      });
      expect(answer.body).toMatchObject({ status: 'succeeded', memoryIds: null });
      expect(systemPromptOf(requestsFor('model-forgetful')[0])).not.toContain('remember');
    });

    it('can be made from an execution output', async () => {
      const agentId = await createAgent('diarist');
      fake.when((r) => r.model === 'model-diarist', {
        kind: 'reply',
        text: 'Decided: ship on Friday',
      });
      const answer = await post(`/v1/agents/${agentId}/executions`, {
        input: { message: 'When do we ship?' },
        storeOutputAsMemory: true,
        wait: 10,
      });
      expect(answer.body).toMatchObject({ status: 'succeeded', storeOutputAsMemory: true });
      const memories = await get(`/v1/agents/${agentId}/memories`);
      expect(memories.body.data).toEqual([
        expect.objectContaining({
          type: 'conversation',
          content: 'Decided: ship on Friday',
          importance: 5,
          metadata: { source: 'execution-output', executionId: answer.body.id },
        }),
      ]);
    });
  });

  describe('sessions', () => {
    it('give an execution the earlier turns as chat history and list them in order', async () => {
      const agentId = await createAgent('chatty');
      const sessionId = await createSession({ agentId, title: 'support chat' });
      const first = await post(`/v1/agents/${agentId}/executions`, {
        input: { message: 'My name is Ada.' },
        sessionId,
        wait: 10,
      });
      expect(first.body.status).toBe('succeeded');
      const second = await post(`/v1/agents/${agentId}/executions`, {
        input: { message: 'What is my name?' },
        sessionId,
        wait: 10,
      });
      expect(second.body.status).toBe('succeeded');

      const [, request] = requestsFor('model-chatty');
      expect(messagesOf(request).slice(1)).toEqual([
        { role: 'user', content: 'My name is Ada.' },
        { role: 'assistant', content: 'fake reply to: My name is Ada.' },
        { role: 'user', content: 'What is my name?' },
      ]);

      const session = await get(`/v1/sessions/${sessionId}`);
      expect(session.body).toMatchObject({
        id: sessionId,
        agentId,
        title: 'support chat',
        status: 'active',
        executionCount: 2,
      });
      expect(session.body.executions.map((e: { id: string }) => e.id)).toEqual([
        first.body.id,
        second.body.id,
      ]);
      // The list filters by session (the console's link from a run to its session's runs).
      const listed = await get(`/v1/executions?sessionId=${sessionId}`);
      expect(listed.body.data.map((e: { id: string }) => e.id)).toEqual([
        second.body.id,
        first.body.id,
      ]);
      const refused = await get('/v1/executions?sessionId=nope');
      expect(refused.status).toBe(400);
      expect(refused.body.error.details.map((d: { field: string }) => d.field)).toEqual([
        'sessionId',
      ]);

      const events = await sessionEvents(sessionId);
      expect(events.map((e) => [e.type, e.executionId])).toEqual([
        ['execution.queued', first.body.id],
        ['execution.started', first.body.id],
        ['execution.succeeded', first.body.id],
        ['execution.queued', second.body.id],
        ['execution.started', second.body.id],
        ['execution.succeeded', second.body.id],
      ]);
      expect(events[1].payload).toMatchObject({ agentId, status: 'running', attempt: 1 });
      const page = await get(`/v1/sessions/${sessionId}/events?limit=4`);
      const rest = await get(`/v1/sessions/${sessionId}/events?cursor=${page.body.nextCursor}`);
      expect(rest.body.data.map((e: { type: string }) => e.type)).toEqual([
        'execution.started',
        'execution.succeeded',
      ]);
    });

    it('record retries and cancellations, whichever process makes them', async () => {
      const agentId = await createAgent('flaky');
      fake.when((r) => r.model === 'model-flaky', { kind: 'error', status: 503 }, { times: 1 });
      const sessionId = await createSession();
      const retried = await post(`/v1/agents/${agentId}/executions`, {
        input: { message: 'try twice' },
        sessionId,
      });
      expect((await waitForTerminal(stack, tenant.apiKey, retried.body.id)).status).toBe(
        'succeeded',
      );
      const waiting = await post(`/v1/agents/${agentId}/executions`, {
        input: { message: 'never runs' },
        sessionId,
        delayMs: 600_000,
      });
      await post(`/v1/executions/${waiting.body.id}/cancel`, {});

      const events = await sessionEvents(sessionId);
      expect(events.map((e) => [e.type, e.payload.attempt, e.payload.errorCode])).toEqual([
        ['execution.queued', 0, undefined],
        ['execution.started', 1, undefined],
        ['execution.retrying', 1, expect.any(String)],
        ['execution.started', 2, undefined],
        ['execution.succeeded', 2, undefined],
        ['execution.queued', 0, undefined],
        ['execution.cancelled', 0, 'cancelled'],
      ]);
    });

    it('take no executions once ended, and are invisible to other tenants', async () => {
      const agentId = await createAgent('closer');
      const sessionId = await createSession();
      const ended = await post(`/v1/sessions/${sessionId}/end`, {});
      expect(ended.status).toBe(200);
      expect(ended.body).toMatchObject({ status: 'ended', endedAt: expect.any(String) });
      expect((await post(`/v1/sessions/${sessionId}/end`, {})).body.status).toBe('ended');
      const refused = await post(`/v1/agents/${agentId}/executions`, {
        input: { message: 'hello?' },
        sessionId,
      });
      expect(refused.status).toBe(409);
      expect(refused.body.error.code).toBe('session_not_active');
      expect((await sessionEvents(sessionId)).map((e) => e.type)).toEqual(['session.ended']);

      const other = await stack.createTenant('other sessions');
      expect((await get(`/v1/sessions/${sessionId}`, other.apiKey)).status).toBe(404);
      expect((await get(`/v1/sessions/${sessionId}/events`, other.apiKey)).status).toBe(404);
      expect(
        (
          await post(
            `/v1/agents/${agentId}/executions`,
            { input: { message: 'x' }, sessionId },
            other.apiKey,
          )
        ).status,
      ).toBe(404);
      expect((await get('/v1/sessions?status=ended')).body.data).toEqual([
        expect.objectContaining({ id: sessionId }),
      ]);
    });

    it('stream new events over SSE, and resume after Last-Event-ID', async () => {
      const agentId = await createAgent('streamer');
      const sessionId = await createSession({ agentId });
      const url = `${stack.http.baseUrl}/v1/sessions/${sessionId}/events`;
      const stream = await openEventStream(url, tenant.apiKey);
      expect(stream.response.status).toBe(200);
      expect(stream.response.headers.get('content-type')).toContain('text/event-stream');

      const submitted = await post(`/v1/agents/${agentId}/executions`, {
        input: { message: 'stream me' },
        sessionId,
      });
      await stream.waitFor('the succeeded event', (e) => e.event === 'execution.succeeded');
      await post(`/v1/sessions/${sessionId}/end`, {});
      await stream.waitFor('the ended event', (e) => e.event === 'session.ended');
      stream.close();
      expect(stream.events.map((e) => e.event)).toEqual([
        'execution.queued',
        'execution.started',
        'execution.succeeded',
        'session.ended',
      ]);
      expect(stream.events[0].data).toMatchObject({
        sessionId,
        executionId: submitted.body.id,
        type: 'execution.queued',
      });

      const resumed = await openEventStream(url, tenant.apiKey, {
        'last-event-id': stream.events[1].id!,
      });
      await resumed.waitFor('the replay', (e) => e.event === 'session.ended');
      resumed.close();
      expect(resumed.events.map((e) => e.id)).toEqual(stream.events.slice(2).map((e) => e.id));
    });
  });

  describe('handoffs', () => {
    it('run a chain A → B → C and record its messages and session events', async () => {
      const a = await createAgent('writer');
      const b = await createAgent('reviewer');
      const c = await createAgent('publisher');
      fake
        .when((r) => r.model === 'model-writer', { kind: 'reply', text: 'Draft v1' })
        .when((r) => r.model === 'model-reviewer', {
          kind: 'reply',
          text: `Looks good.\nHANDOFF: {"agentId": "${c}", "message": "Publish the reviewed draft"}`,
        })
        .when((r) => r.model === 'model-publisher', { kind: 'reply', text: 'Published' });
      const sessionId = await createSession({ agentId: a });
      const submitted = await post(`/v1/agents/${a}/executions`, {
        input: { message: 'Write a post' },
        sessionId,
        handoffTo: b,
      });
      expect(submitted.status).toBe(202);
      expect(submitted.body.handoffTo).toBe(b);

      const received = await waitFor(async () => {
        const page = await get(`/v1/agents/${c}/messages`);
        return page.body.data.length > 0 && page.body.data;
      }, 'the handoff to C');
      const finalExecution = await waitForTerminal(stack, tenant.apiKey, received[0].toExecutionId);
      expect(finalExecution).toMatchObject({
        agentId: c,
        sessionId,
        status: 'succeeded',
        handoffDepth: 2,
        input: { message: 'Publish the reviewed draft' },
        output: { text: 'Published' },
      });

      const session = await get(`/v1/sessions/${sessionId}`);
      const [exA, exB, exC] = session.body.executions;
      expect(session.body.executions.map((e: { agentId: string }) => e.agentId)).toEqual([a, b, c]);
      expect(exB).toMatchObject({
        input: { message: 'Draft v1' },
        handoffDepth: 1,
        parentExecutionId: exA.id,
      });
      expect(exC.parentExecutionId).toBe(exB.id);

      const sentByB = await get(`/v1/agents/${b}/messages?direction=sent`);
      const receivedByB = await get(`/v1/agents/${b}/messages?direction=received`);
      expect(receivedByB.body.data).toEqual([
        expect.objectContaining({
          sessionId,
          fromAgentId: a,
          toAgentId: b,
          fromExecutionId: exA.id,
          toExecutionId: exB.id,
          inReplyToId: null,
          content: 'Draft v1',
        }),
      ]);
      expect(sentByB.body.data).toEqual([
        expect.objectContaining({
          fromAgentId: b,
          toAgentId: c,
          fromExecutionId: exB.id,
          toExecutionId: exC.id,
          inReplyToId: receivedByB.body.data[0].id,
          content: 'Publish the reviewed draft',
        }),
      ]);
      expect((await get(`/v1/agents/${b}/messages`)).body.data).toHaveLength(2);
      expect(
        (await get(`/v1/agents/${b}/messages?sessionId=${sessionId}&limit=1`)).body.nextCursor,
      ).not.toBeNull();

      const events = await sessionEvents(sessionId);
      expect(
        events.map((e) => `${e.type}:${[exA.id, exB.id, exC.id].indexOf(e.executionId)}`),
      ).toEqual([
        'execution.queued:0',
        'execution.started:0',
        'execution.succeeded:0',
        'handoff:0',
        'execution.queued:1',
        'execution.started:1',
        'execution.succeeded:1',
        'handoff:1',
        'execution.queued:2',
        'execution.started:2',
        'execution.succeeded:2',
      ]);
      expect(events[3].payload).toEqual({
        messageId: receivedByB.body.data[0].id,
        fromAgentId: a,
        toAgentId: b,
        fromExecutionId: exA.id,
        toExecutionId: exB.id,
        depth: 1,
        source: 'handoffTo',
      });
      expect(events[7].payload).toMatchObject({ toAgentId: c, depth: 2, source: 'output' });

      // C's prompt carries the whole thread so far as history.
      const [requestToC] = requestsFor('model-publisher');
      expect(
        messagesOf(requestToC)
          .slice(1)
          .map((m) => m.content),
      ).toEqual([
        'Write a post',
        'Draft v1',
        'Draft v1',
        expect.stringContaining('Looks good.'),
        'Publish the reviewed draft',
      ]);
    });

    it('stop a loop at the depth limit', async () => {
      const ping = await createAgent('ping');
      const pong = await createAgent('pong');
      fake
        .when((r) => r.model === 'model-ping', {
          kind: 'reply',
          text: `ping\nHANDOFF: {"agentId": "${pong}"}`,
        })
        .when((r) => r.model === 'model-pong', {
          kind: 'reply',
          text: `pong\nHANDOFF: {"agentId": "${ping}"}`,
        });
      const sessionId = await createSession();
      await post(`/v1/agents/${ping}/executions`, { input: { message: 'start' }, sessionId });

      const rejected = await waitFor(
        async () => (await sessionEvents(sessionId)).find((e) => e.type === 'handoff.rejected'),
        'the refused handoff',
      );
      expect(rejected.payload).toMatchObject({
        reason: 'depth_limit',
        fromAgentId: pong,
        depth: 3,
      });
      await new Promise((resolve) => setTimeout(resolve, 500));

      const session = await get(`/v1/sessions/${sessionId}`);
      expect(
        session.body.executions.map((e: { agentId: string; handoffDepth: number }) => [
          e.agentId,
          e.handoffDepth,
        ]),
      ).toEqual([
        [ping, 0],
        [pong, 1],
        [ping, 2],
        [pong, 3],
      ]);
      expect(
        session.body.executions.every((e: { status: string }) => e.status === 'succeeded'),
      ).toBe(true);
      const [{ n }] = await db.query(
        `SELECT count(*)::int AS n FROM agent_messages WHERE session_id = $1`,
        [sessionId],
      );
      expect(n).toBe(3);
      expect(rejected.executionId).toBe(session.body.executions[3].id);
    });

    it('refuses a handoffTo that is not an agent of the tenant', async () => {
      const agentId = await createAgent('lonely');
      const other = await stack.createTenant('elsewhere');
      const foreignProvider = await post(
        '/v1/providers',
        { name: 'echo', type: 'echo', isDefault: true },
        other.apiKey,
      );
      const foreign = await post(
        '/v1/agents',
        {
          name: 'foreign',
          role: 'r',
          providerId: foreignProvider.body.id,
          llmConfig: { model: 'm' },
        },
        other.apiKey,
      );
      const answer = await post(`/v1/agents/${agentId}/executions`, {
        input: { message: 'x' },
        handoffTo: foreign.body.id,
      });
      expect(answer.status).toBe(404);
      expect(answer.body.error.message).toContain('handoffTo');
    });
  });
});
