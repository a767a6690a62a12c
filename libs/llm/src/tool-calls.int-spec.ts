import { FakeProviderServer } from '@agentq/testing';
import { createLlmAdapter } from './llm-adapter.factory';
import { LlmMessage, LlmRequest, ProviderConnection } from './llm-provider.port';
import { createProviderOutboundClient } from './provider-outbound';

const outbound = createProviderOutboundClient(false);
afterAll(() => outbound.close());

const TOOLS = [
  {
    name: 'get_weather',
    description: 'the weather in a city',
    parameters: { type: 'object', properties: { city: { type: 'string' } } },
  },
];

// A turn that asked for two tools, and both outputs (one an error).
const CONVERSATION: LlmMessage[] = [
  { role: 'user', content: 'Weather in Paris and Rome?' },
  {
    role: 'assistant',
    content: '',
    toolCalls: [
      { id: 'call_1', name: 'get_weather', arguments: { city: 'Paris' } },
      { id: 'call_2', name: 'get_weather', arguments: { city: 'Rome' } },
    ],
  },
  { role: 'tool', toolCallId: 'call_1', name: 'get_weather', content: 'sunny', isError: false },
  { role: 'tool', toolCallId: 'call_2', name: 'get_weather', content: 'error', isError: true },
];

describe.each([
  ['openai', (url: string) => `${url}/v1`],
  ['anthropic', (url: string) => url],
] as const)('tool calls over the %s wire format', (type, baseUrl) => {
  const server = new FakeProviderServer();
  let url: string;

  beforeAll(async () => ({ url } = await server.start()));
  afterEach(() => server.clear());
  afterAll(() => server.stop());

  const adapter = () =>
    createLlmAdapter(
      { type, apiKey: 'sk-test', baseUrl: baseUrl(url), settings: {} } as ProviderConnection,
      outbound,
    );
  const request = (overrides: Partial<LlmRequest> = {}): LlmRequest => ({
    model: 'm-1',
    systemPrompt: 'You help.',
    messages: CONVERSATION,
    tools: TOOLS,
    signal: new AbortController().signal,
    ...overrides,
  });

  it('maps the tool calls of an answer', async () => {
    server.script([
      {
        kind: 'tool-calls',
        calls: [{ id: 'call_9', name: 'get_weather', arguments: { city: 'Oslo' } }],
        promptTokens: 12,
        completionTokens: 3,
      },
    ]);
    const result = await adapter().complete(request({ messages: [CONVERSATION[0]] }));
    expect(result).toMatchObject({
      toolCalls: [{ id: 'call_9', name: 'get_weather', arguments: { city: 'Oslo' } }],
      promptTokens: 12,
      completionTokens: 3,
    });
  });

  it('sends tools, the calls and their outputs in the wire format', async () => {
    server.script([{ kind: 'reply', text: 'Paris is sunny' }]);
    const result = await adapter().complete(request());
    expect(result).toMatchObject({ text: 'Paris is sunny', toolCalls: [] });
    const { body } = server.requests[0];
    if (type === 'openai') {
      expect(body.tools).toEqual([
        {
          type: 'function',
          function: {
            name: 'get_weather',
            description: 'the weather in a city',
            parameters: TOOLS[0].parameters,
          },
        },
      ]);
      expect(body.messages).toEqual([
        { role: 'system', content: 'You help.' },
        { role: 'user', content: 'Weather in Paris and Rome?' },
        {
          role: 'assistant',
          content: null,
          tool_calls: [
            {
              id: 'call_1',
              type: 'function',
              function: { name: 'get_weather', arguments: '{"city":"Paris"}' },
            },
            {
              id: 'call_2',
              type: 'function',
              function: { name: 'get_weather', arguments: '{"city":"Rome"}' },
            },
          ],
        },
        { role: 'tool', tool_call_id: 'call_1', content: 'sunny' },
        { role: 'tool', tool_call_id: 'call_2', content: 'error' },
      ]);
    } else {
      expect(body.tools).toEqual([
        {
          name: 'get_weather',
          description: 'the weather in a city',
          input_schema: TOOLS[0].parameters,
        },
      ]);
      expect(body.messages).toEqual([
        { role: 'user', content: 'Weather in Paris and Rome?' },
        {
          role: 'assistant',
          content: [
            { type: 'tool_use', id: 'call_1', name: 'get_weather', input: { city: 'Paris' } },
            { type: 'tool_use', id: 'call_2', name: 'get_weather', input: { city: 'Rome' } },
          ],
        },
        {
          role: 'user',
          content: [
            { type: 'tool_result', tool_use_id: 'call_1', content: 'sunny' },
            { type: 'tool_result', tool_use_id: 'call_2', content: 'error', is_error: true },
          ],
        },
      ]);
    }
  });
});
