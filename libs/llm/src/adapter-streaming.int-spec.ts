import { ResponseFormat } from '@agentq/database';
import { FakeProviderServer } from '@agentq/testing';
import { createLlmAdapter } from './llm-adapter.factory';
import { LlmError } from './llm-errors';
import { LlmRequest, ProviderConnection } from './llm-provider.port';
import { createProviderOutboundClient } from './provider-outbound';

const outbound = createProviderOutboundClient(false);
afterAll(() => outbound.close());

const server = new FakeProviderServer();
let url: string;
beforeAll(async () => ({ url } = await server.start()));
afterEach(() => server.clear());
afterAll(() => server.stop());

const connections: Record<'openai' | 'anthropic', () => ProviderConnection> = {
  openai: () => ({ type: 'openai', apiKey: 'sk-test', baseUrl: `${url}/v1`, settings: {} }),
  anthropic: () => ({ type: 'anthropic', apiKey: 'sk-ant-test', baseUrl: url, settings: {} }),
};

const request = (overrides: Partial<LlmRequest> = {}): LlmRequest => ({
  model: 'some-model',
  systemPrompt: '## Role\nHelper',
  messages: [{ role: 'user', content: 'Hi there' }],
  maxTokens: 100,
  signal: new AbortController().signal,
  ...overrides,
});

const weather: ResponseFormat = {
  type: 'json_schema',
  name: 'weather',
  schema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
};

describe.each(['openai', 'anthropic'] as const)('%s adapter, streamed', (api) => {
  const adapter = () => createLlmAdapter(connections[api](), outbound);
  const reply = {
    kind: 'reply',
    text: 'The answer, in  several words. ',
    promptTokens: 30,
    completionTokens: 8,
    finishReason: api === 'openai' ? 'stop' : 'end_turn',
  } as const;

  it('calls onDelta per chunk and returns what the non-streamed call returns', async () => {
    server.script([reply, reply]);
    const deltas: string[] = [];

    const streamed = await adapter().complete(request({ onDelta: (text) => deltas.push(text) }));
    const plain = await adapter().complete(request());

    expect(deltas.length).toBeGreaterThan(3);
    expect(deltas.join('')).toBe(reply.text);
    expect({ ...streamed, responseId: null }).toEqual({ ...plain, responseId: null });
    expect(streamed).toMatchObject({
      text: reply.text,
      promptTokens: 30,
      completionTokens: 8,
      finishReason: reply.finishReason,
      model: 'some-model',
    });
    expect(server.requests[0].body.stream).toBe(true);
    if (api === 'openai') {
      expect(server.requests[0].body.stream_options).toEqual({ include_usage: true });
    }
    expect(server.requests[1].body.stream).toBeUndefined();
  });

  it('delivers deltas as they arrive, before the answer is complete', async () => {
    server.script([{ ...reply, chunks: ['one', ' two', ' three'], chunkDelayMs: 150 }]);
    const arrivals: number[] = [];
    const started = Date.now();

    const result = await adapter().complete(
      request({ onDelta: () => arrivals.push(Date.now() - started) }),
    );

    expect(result.text).toBe('one two three');
    expect(arrivals).toHaveLength(3);
    expect(arrivals[2] - arrivals[0]).toBeGreaterThanOrEqual(250);
  });

  it('fails with a transient LlmError when the connection drops mid-stream', async () => {
    server.script([{ ...reply, dropAfterChunks: 2 }]);
    const deltas: string[] = [];

    const failure = await adapter()
      .complete(request({ onDelta: (text) => deltas.push(text) }))
      .catch((error: unknown) => error);

    expect(deltas).toHaveLength(2);
    expect(failure).toBeInstanceOf(LlmError);
    expect(failure).toMatchObject({ kind: 'transient' });
  });

  it('asks for the response format in the provider’s native mode', async () => {
    server.script([{ ...reply, text: '{"city":"Paris"}' }]);

    const result = await adapter().complete(
      request({ responseFormat: weather, onDelta: () => {} }),
    );

    expect(result.text).toBe('{"city":"Paris"}');
    const { body } = server.requests[0];
    if (api === 'openai') {
      expect(body.response_format).toEqual({
        type: 'json_schema',
        json_schema: { name: 'weather', schema: weather.schema },
      });
    } else {
      expect(body.output_config).toEqual({
        format: { type: 'json_schema', schema: weather.schema },
      });
    }
  });
});
