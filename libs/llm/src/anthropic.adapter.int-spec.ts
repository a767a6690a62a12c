import { FakeProviderServer } from '@agentq/testing';
import { ANTHROPIC_DEFAULT_MAX_TOKENS } from './anthropic.adapter';
import { createLlmAdapter } from './llm-adapter.factory';
import { createProviderOutboundClient } from './provider-outbound';
import { LlmRequest } from './llm-provider.port';

const outbound = createProviderOutboundClient(false);
afterAll(() => outbound.close());

describe('Anthropic adapter against a fake Messages server', () => {
  const server = new FakeProviderServer();
  let url: string;

  beforeAll(async () => ({ url } = await server.start()));
  afterEach(() => server.clear());
  afterAll(() => server.stop());

  const adapter = (baseUrl = url) =>
    createLlmAdapter({ type: 'anthropic', apiKey: 'sk-ant-test', baseUrl, settings: {} }, outbound);

  const request = (overrides: Partial<LlmRequest> = {}): LlmRequest => ({
    model: 'claude-sonnet-4-20250514',
    systemPrompt: '## Role\nHelper',
    messages: [{ role: 'user', content: 'Hi there' }],
    signal: new AbortController().signal,
    ...overrides,
  });

  it('sends the system prompt in `system` and maps the reply and its usage', async () => {
    server.script([
      {
        kind: 'reply',
        text: 'Hello!',
        promptTokens: 30,
        completionTokens: 6,
        finishReason: 'max_tokens',
      },
    ]);

    const result = await adapter().complete(
      request({
        messages: [
          { role: 'system', content: 'Answer briefly.' },
          { role: 'user', content: 'Hi there' },
        ],
        maxTokens: 200,
        stop: ['END'],
      }),
    );

    expect(result).toEqual({
      text: 'Hello!',
      promptTokens: 30,
      completionTokens: 6,
      finishReason: 'max_tokens',
      model: 'claude-sonnet-4-20250514',
      responseId: 'msg_fake_1',
      toolCalls: [],
    });
    expect(server.requests).toHaveLength(1);
    const [received] = server.requests;
    expect(received.path).toBe('/v1/messages');
    expect(received.headers.authorization).toBe('Bearer sk-ant-test');
    expect(received.headers['anthropic-version']).toBeDefined();
    expect(received.body).toEqual({
      model: 'claude-sonnet-4-20250514',
      max_tokens: 200,
      system: '## Role\nHelper\n\nAnswer briefly.',
      messages: [{ role: 'user', content: 'Hi there' }],
      stop_sequences: ['END'],
    });
  });

  it('sets max_tokens when the agent does not, and sends no sampling parameters', async () => {
    await adapter().complete(request({ temperature: 0.3, topP: 0.5 }));

    expect(server.requests[0].body).toEqual({
      model: 'claude-sonnet-4-20250514',
      max_tokens: ANTHROPIC_DEFAULT_MAX_TOKENS,
      system: '## Role\nHelper',
      messages: [{ role: 'user', content: 'Hi there' }],
    });
  });

  it('honours a base URL with a path', async () => {
    const proxied = adapter(`${url}/proxy`);

    const result = await proxied.complete(request());

    expect(result.text).toBe('fake reply to: Hi there');
    expect(server.requests[0].path).toBe('/proxy/v1/messages');
  });
});
