import { getQueueToken } from '@nestjs/bullmq';
import { QUEUES } from '@agentq/jobs';
import { findAccountingDrift } from '@agentq/testing';
import { Queue } from 'bullmq';
import { AgentSetup, setUpAgent, waitFor, waitForTerminal } from './support/scenario';
import { startTestStack, TestStack } from './support/test-stack';

const dataSourceOf = (stack: TestStack) => stack.db;

describe('execution pipeline (echo provider)', () => {
  let stack: TestStack;
  let setup: AgentSetup;

  beforeAll(async () => {
    stack = await startTestStack({ workers: 1 });
    setup = await setUpAgent(stack);
  });

  afterAll(() => stack.stop());

  const submit = (body: Record<string, unknown>, agentId = setup.agentId) =>
    stack.http.post(`/v1/agents/${agentId}/executions`, body, setup.tenant.apiKey);

  it('runs a submission and answers with the finished execution when asked to wait', async () => {
    const answer = await submit({ input: { message: 'hello there' }, wait: 10 });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({
      agentId: setup.agentId,
      status: 'succeeded',
      attempts: 1,
      maxAttempts: 3,
      priority: 5,
      output: { model: 'echo-1', finishReason: 'stop' },
      error: null,
    });
    expect(answer.body.output.text).toContain('hello there');
    expect(answer.body.usage.promptTokens).toBeGreaterThan(0);
    expect(answer.body.usage.completionTokens).toBeGreaterThan(0);
    expect(answer.body.usage.totalTokens).toBe(
      answer.body.usage.promptTokens + answer.body.usage.completionTokens,
    );
    expect(answer.body.durationMs).toBeGreaterThanOrEqual(0);
    expect(answer.body.startedAt).not.toBeNull();
    expect(answer.body.completedAt).not.toBeNull();
  });

  it('answers 202 at once without wait, and the job id in Redis is the execution id', async () => {
    const answer = await submit({
      input: { messages: [{ role: 'user', content: 'hi' }] },
      delayMs: 60_000,
    });
    expect(answer.status).toBe(202);
    expect(answer.body.status).toBe('queued');
    const queue = stack.api.get<Queue>(getQueueToken(QUEUES.executions));
    const job = await queue.getJob(answer.body.id);
    expect(job?.data).toEqual({
      executionId: answer.body.id,
      tenantId: setup.tenant.id,
      agentId: setup.agentId,
    });
    expect(await job?.getState()).toBe('delayed');
  });

  it('delays a job until its runAt', async () => {
    const runAt = new Date(Date.now() + 1_500).toISOString();
    const answer = await submit({ input: { message: 'later' }, runAt });
    const done = await waitForTerminal(stack, setup.tenant.apiKey, answer.body.id);
    expect(done.status).toBe('succeeded');
    expect(new Date(done.startedAt).getTime()).toBeGreaterThanOrEqual(
      new Date(runAt).getTime() - 50,
    );
  });

  it('rejects a bad body with field errors and writes nothing', async () => {
    const dataSource = dataSourceOf(stack);
    const [{ n: before }] = await dataSource.query(
      `SELECT count(*)::int AS n FROM agent_executions`,
    );
    const answers = await Promise.all([
      submit({}),
      submit({ input: { message: 'x' }, priority: 11 }),
      submit({ input: { message: 'x', messages: [{ role: 'user', content: 'y' }] } }),
      submit({ input: { message: 'x' }, delayMs: 5, runAt: new Date().toISOString() }),
      submit({ input: { message: 'x' }, surprise: true }),
      submit({ input: { messages: [{ role: 'robot', content: 'y' }] } }),
    ]);
    for (const answer of answers) {
      expect(answer.status).toBe(400);
      expect(answer.body.error.code).toBe('validation_failed');
      expect(answer.body.error.details.length).toBeGreaterThan(0);
    }
    expect(answers[1].body.error.details[0].field).toBe('priority');
    expect(answers[5].body.error.details[0].field).toBe('input.messages.0.role');
    const [{ n: after }] = await dataSource.query(
      `SELECT count(*)::int AS n FROM agent_executions`,
    );
    expect(after).toBe(before);
  });

  it('answers 400 to malformed JSON and 413 to an oversized body', async () => {
    const path = `/v1/agents/${setup.agentId}/executions`;
    const malformed = await stack.http.request('POST', path, {
      token: setup.tenant.apiKey,
      rawBody: '{"input": ',
    });
    expect(malformed.status).toBe(400);
    expect(malformed.body.error.code).toBe('bad_request');
    const huge = await stack.http.request('POST', path, {
      token: setup.tenant.apiKey,
      rawBody: JSON.stringify({ input: { message: 'x'.repeat(2_000_000) } }),
    });
    expect(huge.status).toBe(413);
    expect(huge.body.error.code).toBe('payload_too_large');
  });

  it('answers 415 naming the charset to a body declared in anything but UTF-8, and writes nothing', async () => {
    const count = async () =>
      (await stack.db.query(`SELECT count(*)::int AS n FROM agent_executions`))[0].n;
    const before = await count();
    const send = (contentType: string) =>
      stack.http.request('POST', `/v1/agents/${setup.agentId}/executions`, {
        token: setup.tenant.apiKey,
        rawBody: JSON.stringify({ input: { message: 'café' } }),
        headers: { 'content-type': contentType },
      });
    for (const charset of ['latin1', 'ISO-8859-1', 'utf-16']) {
      const refused = await send(`application/json; charset=${charset}`);
      expect(refused.status).toBe(415);
      expect(refused.body.error).toEqual({
        code: 'unsupported_media_type',
        message: expect.stringContaining(`charset ${charset.toLowerCase()}`),
        details: { charset: charset.toLowerCase() },
      });
    }
    expect(await count()).toBe(before);
    for (const contentType of [
      'application/json; charset=UTF-8',
      'application/json;charset="utf-8"',
    ]) {
      expect((await send(contentType)).status).toBe(202);
    }
  });

  it('answers 404 for an unknown agent or execution', async () => {
    expect(
      (await submit({ input: { message: 'x' } }, '00000000-0000-4000-8000-000000000000')).status,
    ).toBe(404);
    expect((await stack.http.get('/v1/executions/not-a-uuid', setup.tenant.apiKey)).status).toBe(
      404,
    );
  });

  it('refuses an agent paused or deleted a moment ago at once: no cache in between', async () => {
    const other = await setUpAgent(stack);
    const accepted: string[] = [];
    const submitTo = async () => {
      const answer = await stack.http.post(
        `/v1/agents/${other.agentId}/executions`,
        { input: { message: 'x' } },
        other.tenant.apiKey,
      );
      if (answer.status === 202) accepted.push(answer.body.id);
      return answer;
    };
    expect((await submitTo()).status).toBe(202);
    const path = `/v1/agents/${other.agentId}`;
    expect((await stack.http.patch(path, { status: 'paused' }, other.tenant.apiKey)).status).toBe(
      200,
    );
    const paused = await submitTo();
    expect(paused.status).toBe(409);
    expect(paused.body.error.code).toBe('agent_not_active');
    expect((await stack.http.patch(path, { status: 'active' }, other.tenant.apiKey)).status).toBe(
      200,
    );
    expect((await submitTo()).status).toBe(202);
    // An agent is deleted only once its executions have ended (409 before).
    for (const id of accepted) {
      await stack.http.post(`/v1/executions/${id}/cancel`, {}, other.tenant.apiKey);
    }
    expect((await stack.http.delete(path, other.tenant.apiKey)).status).toBe(204);
    expect((await submitTo()).status).toBe(404);
  });

  it('gives 50 concurrent submissions with one idempotency key a single execution and job', async () => {
    const body = { input: { message: 'only once' }, idempotencyKey: 'order-42', delayMs: 60_000 };
    const answers = await Promise.all(Array.from({ length: 50 }, () => submit(body)));
    const ids = new Set(answers.map((answer) => answer.body.id));
    expect(ids.size).toBe(1);
    expect(answers.filter((answer) => answer.status === 202)).toHaveLength(1);
    expect(answers.filter((answer) => answer.status === 200)).toHaveLength(49);
    const [{ n }] = await dataSourceOf(stack).query(
      `SELECT count(*)::int AS n FROM agent_executions WHERE idempotency_key = 'order-42'`,
    );
    expect(n).toBe(1);
  });

  it('cancels a waiting job: removed from the queue and counted once as cancelled', async () => {
    const answer = await submit({ input: { message: 'never' }, delayMs: 60_000 });
    const cancelled = await stack.http.post(
      `/v1/executions/${answer.body.id}/cancel`,
      {},
      setup.tenant.apiKey,
    );
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.status).toBe('cancelled');
    const queue = stack.api.get<Queue>(getQueueToken(QUEUES.executions));
    expect(await queue.getJob(answer.body.id)).toBeUndefined();
    const again = await stack.http.post(
      `/v1/executions/${answer.body.id}/cancel`,
      {},
      setup.tenant.apiKey,
    );
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('already_terminal');
  });

  it('streams lifecycle events over SSE, ending with the terminal one', async () => {
    const answer = await submit({ input: { message: 'stream me' }, delayMs: 300 });
    const response = await fetch(`${stack.http.baseUrl}/v1/executions/${answer.body.id}/events`, {
      headers: { authorization: `Bearer ${setup.tenant.apiKey}` },
    });
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    const text = await response.text();
    const types = [...text.matchAll(/^event: (\w+)$/gm)].map((match) => match[1]);
    expect(types[0]).toBe('queued');
    expect(types).toContain('started');
    expect(types[types.length - 1]).toBe('succeeded');
  });

  it('takes a batch of 1,000 executions in one call', async () => {
    const executions = Array.from({ length: 1_000 }, (_, i) => ({
      input: { message: `batch item ${i}` },
      priority: 1 + (i % 10),
    }));
    const answer = await stack.http.post(
      `/v1/agents/${setup.agentId}/executions/batch`,
      { executions },
      setup.tenant.apiKey,
    );
    expect(answer.status).toBe(202);
    expect(answer.body.data).toHaveLength(1_000);
    expect(new Set(answer.body.data.map((e: { id: string }) => e.id)).size).toBe(1_000);
    const dataSource = dataSourceOf(stack);
    await waitFor(
      async () => {
        const [{ n }] = await dataSource.query(
          `SELECT count(*)::int AS n FROM agent_executions WHERE status = 'succeeded' AND input->>'message' LIKE 'batch item %'`,
        );
        return n === 1_000;
      },
      'the batch to finish',
      60_000,
    );
    expect(await findAccountingDrift(dataSource)).toEqual({
      lifetime: [],
      daily: [],
      attribution: [],
    });
  });

  it('reports agent stats and usage that match the executions', async () => {
    const stats = await stack.http.get(`/v1/agents/${setup.agentId}/stats`, setup.tenant.apiKey);
    expect(stats.status).toBe(200);
    const [truth] = await dataSourceOf(stack).query(
      `SELECT count(*)::int AS total, count(*) FILTER (WHERE status = 'succeeded')::int AS ok,
              sum(prompt_tokens + completion_tokens)::int AS tokens
         FROM agent_executions WHERE agent_id = $1 AND status IN ('succeeded','failed','cancelled')`,
      [setup.agentId],
    );
    expect(stats.body).toMatchObject({
      totalExecutions: truth.total,
      successfulExecutions: truth.ok,
      totalTokens: truth.tokens,
      executionsToday: truth.total,
      executionsThisWeek: truth.total,
      executionsThisMonth: truth.total,
    });
    expect(stats.body.avgResponseTimeMs).not.toBeNull();
    const usage = await stack.http.get('/v1/usage?groupBy=agent,day,model', setup.tenant.apiKey);
    expect(usage.status).toBe(200);
    expect(usage.body.data).toHaveLength(1);
    expect(usage.body.data[0]).toMatchObject({
      agentId: setup.agentId,
      model: 'echo-1',
      executions: truth.total,
    });
  });

  it('lists executions with filters and cursor pagination', async () => {
    const seen = new Set<string>();
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = `/v1/executions?agentId=${setup.agentId}&status=succeeded&limit=100${cursor ? `&cursor=${cursor}` : ''}`;
      const page = await stack.http.get(query, setup.tenant.apiKey);
      expect(page.status).toBe(200);
      for (const execution of page.body.data) {
        expect(execution.status).toBe('succeeded');
        seen.add(execution.id);
      }
      cursor = page.body.nextCursor;
      pages += 1;
    } while (cursor);
    const [{ n }] = await dataSourceOf(stack).query(
      `SELECT count(*)::int AS n FROM agent_executions WHERE agent_id = $1 AND status = 'succeeded'`,
      [setup.agentId],
    );
    expect(seen.size).toBe(n);
    expect(pages).toBeGreaterThan(1);
  });
});
