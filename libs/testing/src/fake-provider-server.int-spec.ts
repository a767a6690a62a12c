import {
  createEmbeddingAdapter,
  createProviderOutboundClient,
  echoEmbedding,
  LlmError,
} from '@agentq/llm';
import { FakeProviderServer } from './fake-provider-server';

describe('FakeProviderServer', () => {
  const server = new FakeProviderServer();

  beforeAll(() => server.start());
  afterEach(() => server.clear());
  afterAll(() => server.stop());

  const chat = (content: string, model = 'gpt-4o') =>
    fetch(`${server.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model, messages: [{ role: 'user', content }] }),
    });

  const textOf = async (response: Response) =>
    ((await response.json()) as { choices: { message: { content: string } }[] }).choices[0].message
      .content;

  it('answers Chat Completions with usage in the OpenAI shape', async () => {
    server.script([{ kind: 'reply', text: 'hi', promptTokens: 7, completionTokens: 2 }]);
    const response = await chat('hello');
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      id: 'chatcmpl-fake-1',
      object: 'chat.completion',
      model: 'gpt-4o',
      choices: [{ index: 0, message: { role: 'assistant', content: 'hi' }, finish_reason: 'stop' }],
      usage: { prompt_tokens: 7, completion_tokens: 2, total_tokens: 9 },
    });
  });

  it('answers /v1/embeddings in the OpenAI shape, through the real SDK', async () => {
    const outbound = createProviderOutboundClient(false);
    const adapter = createEmbeddingAdapter(
      { type: 'openai-compatible', apiKey: null, baseUrl: `${server.url}/v1`, settings: {} },
      outbound,
    );
    server.script([{ kind: 'reply', promptTokens: 11 }]);
    const result = await adapter.embed({
      model: 'nomic-embed-text',
      texts: ['first text', 'second text'],
      signal: AbortSignal.timeout(5_000),
    });
    expect(result).toEqual({
      vectors: [echoEmbedding('first text'), echoEmbedding('second text')],
      promptTokens: 11,
      model: 'nomic-embed-text',
    });
    expect(server.requests[0]).toMatchObject({
      api: 'openai-embeddings',
      path: '/v1/embeddings',
      body: { model: 'nomic-embed-text', input: ['first text', 'second text'] },
    });
    server.script([{ kind: 'error', status: 429, retryAfterMs: 1500 }]);
    const limited = await adapter
      .embed({ model: 'm', texts: ['x'], signal: AbortSignal.timeout(5_000) })
      .catch((error: unknown) => error);
    expect(limited).toBeInstanceOf(LlmError);
    expect(limited).toMatchObject({ kind: 'rate_limited', retryAfterMs: 1500 });
    await outbound.close();
  });

  it('answers Messages in the Anthropic shape and records the prompt', async () => {
    const response = await fetch(`${server.url}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-trace': 'abc' },
      body: JSON.stringify({
        model: 'claude-sonnet-4',
        system: [{ type: 'text', text: 'be brief' }],
        messages: [{ role: 'user', content: [{ type: 'text', text: 'hello' }] }],
      }),
    });
    expect(await response.json()).toMatchObject({
      type: 'message',
      role: 'assistant',
      model: 'claude-sonnet-4',
      content: [{ type: 'text', text: 'fake reply to: hello' }],
      stop_reason: 'end_turn',
      usage: { input_tokens: expect.any(Number), output_tokens: expect.any(Number) },
    });
    expect(server.requests).toEqual([
      expect.objectContaining({
        api: 'anthropic',
        path: '/v1/messages',
        model: 'claude-sonnet-4',
        prompt: 'be brief\nhello',
        headers: expect.objectContaining({ 'x-trace': 'abc' }),
      }),
    ]);
  });

  it('sends errors with the API error body and Retry-After headers', async () => {
    server.script([
      { kind: 'error', status: 429, retryAfterSeconds: 3, code: 'rate_limit_exceeded' },
    ]);
    const response = await chat('hello');
    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBe('3');
    expect(await response.json()).toMatchObject({ error: { code: 'rate_limit_exceeded' } });
  });

  it('tries rules first, then the script in order, then the default', async () => {
    server
      .setDefault({ kind: 'reply', text: 'default' })
      .script([
        { kind: 'reply', text: 'first' },
        { kind: 'reply', text: 'second' },
      ])
      .when((request) => request.prompt.includes('[vip]'), { kind: 'reply', text: 'rule' })
      .when((request) => request.model === 'flaky', { kind: 'error', status: 500 }, { times: 1 });

    expect(await textOf(await chat('[vip] hello'))).toBe('rule');
    expect((await chat('x', 'flaky')).status).toBe(500);
    expect(await textOf(await chat('x', 'flaky'))).toBe('first');
    expect(await textOf(await chat('[vip] again'))).toBe('rule');
    expect(await textOf(await chat('plain'))).toBe('second');
    expect(await textOf(await chat('plain'))).toBe('default');
  });

  it('waits for requests to arrive, and stops cleanly with a call still hanging', async () => {
    const other = new FakeProviderServer();
    const { url } = await other.start();
    other.setDefault({ kind: 'hang' });
    const hanging = fetch(`${url}/chat/completions`, {
      method: 'POST',
      body: JSON.stringify({ model: 'm', messages: [] }),
    }).catch((error: unknown) => error);

    await other.waitForRequests(1);
    await other.stop();

    expect(await hanging).toHaveProperty('name', 'TypeError'); // fetch failed: the socket closed
  });

  it('answers 404 to unknown routes and 400 to bodies that are not JSON', async () => {
    expect(
      (await fetch(`${server.url}/v1/moderations`, { method: 'POST', body: '{}' })).status,
    ).toBe(404);
    expect(
      (await fetch(`${server.url}/v1/chat/completions`, { method: 'POST', body: 'nope' })).status,
    ).toBe(400);
    expect(server.requests).toHaveLength(0);
  });
});
