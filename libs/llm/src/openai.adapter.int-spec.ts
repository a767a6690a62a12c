import { FakeProviderServer } from '@agentq/testing';
import { createLlmAdapter } from './llm-adapter.factory';
import { createProviderOutboundClient } from './provider-outbound';
import { LlmRequest, ProviderConnection } from './llm-provider.port';

const outbound = createProviderOutboundClient(false);
afterAll(() => outbound.close());

describe('OpenAI adapter against a fake Chat Completions server', () => {
  const server = new FakeProviderServer();
  let url: string;

  beforeAll(async () => ({ url } = await server.start()));
  afterEach(() => server.clear());
  afterAll(() => server.stop());

  const adapterFor = (overrides: Partial<ProviderConnection> = {}) =>
    createLlmAdapter(
      { type: 'openai', apiKey: 'sk-test-key', baseUrl: `${url}/v1`, settings: {}, ...overrides },
      outbound,
    );

  const request = (overrides: Partial<LlmRequest> = {}): LlmRequest => ({
    model: 'gpt-4o-mini',
    systemPrompt: '## Role\nHelper',
    messages: [{ role: 'user', content: 'Hi there' }],
    signal: new AbortController().signal,
    ...overrides,
  });

  it('sends the prompt and maps the reply and its usage', async () => {
    server.script([
      {
        kind: 'reply',
        text: 'Hello!',
        promptTokens: 21,
        completionTokens: 4,
        finishReason: 'length',
      },
    ]);
    const adapter = adapterFor();

    const result = await adapter.complete(
      request({
        messages: [
          { role: 'user', content: 'Hi there' },
          { role: 'assistant', content: 'Hello' },
          { role: 'user', content: 'Again' },
        ],
        temperature: 0.2,
        topP: 0.9,
        maxTokens: 50,
        stop: ['END'],
      }),
    );

    expect(result).toEqual({
      text: 'Hello!',
      promptTokens: 21,
      completionTokens: 4,
      finishReason: 'length',
      model: 'gpt-4o-mini',
      responseId: 'chatcmpl-fake-1',
      toolCalls: [],
    });
    expect(server.requests).toHaveLength(1);
    const [received] = server.requests;
    expect(received.path).toBe('/v1/chat/completions');
    expect(received.headers.authorization).toBe('Bearer sk-test-key');
    expect(received.body).toEqual({
      model: 'gpt-4o-mini',
      messages: [
        { role: 'system', content: '## Role\nHelper' },
        { role: 'user', content: 'Hi there' },
        { role: 'assistant', content: 'Hello' },
        { role: 'user', content: 'Again' },
      ],
      temperature: 0.2,
      top_p: 0.9,
      max_completion_tokens: 50,
      stop: ['END'],
    });
  });

  it('honours the base URL of an OpenAI-compatible server and sends max_tokens to it', async () => {
    const adapter = adapterFor({
      type: 'openai-compatible',
      apiKey: null,
      baseUrl: `${url}/ollama/v1`,
    });

    const result = await adapter.complete(request({ model: 'llama3.1:8b', maxTokens: 64 }));

    expect(result.model).toBe('llama3.1:8b');
    expect(result.text).toBe('fake reply to: Hi there');
    expect(result.promptTokens).toBeGreaterThan(0);
    const [received] = server.requests;
    expect(received.path).toBe('/ollama/v1/chat/completions');
    expect(received.body).toMatchObject({ max_tokens: 64 });
    expect(received.body).not.toHaveProperty('max_completion_tokens');
  });

  it('leaves out an empty system prompt and empty stop list', async () => {
    const adapter = adapterFor();

    await adapter.complete(request({ systemPrompt: '', stop: [] }));

    expect(server.requests[0].body).toEqual({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'Hi there' }],
    });
  });
});
