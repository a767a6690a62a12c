import { AnthropicAdapter } from './anthropic.adapter';
import { EchoAdapter } from './echo.adapter';
import { createLlmAdapter } from './llm-adapter.factory';
import { ProviderConnection } from './llm-provider.port';
import { OpenAiAdapter } from './openai.adapter';
import { createProviderOutboundClient } from './provider-outbound';

const outbound = createProviderOutboundClient(false);
afterAll(() => outbound.close());

const connection = (overrides: Partial<ProviderConnection>): ProviderConnection => ({
  type: 'echo',
  apiKey: null,
  baseUrl: null,
  settings: {},
  ...overrides,
});

describe('createLlmAdapter', () => {
  it.each([
    [{ type: 'openai', apiKey: 'sk-test' }, OpenAiAdapter],
    [{ type: 'openai-compatible', baseUrl: 'http://localhost:11434/v1' }, OpenAiAdapter],
    [{ type: 'anthropic', apiKey: 'sk-ant-test' }, AnthropicAdapter],
    [{ type: 'echo', settings: { latencyMs: 5 } }, EchoAdapter],
  ] as const)('builds an adapter for %j', (fields, adapterClass) => {
    expect(createLlmAdapter(connection(fields), outbound)).toBeInstanceOf(adapterClass);
  });

  it.each([
    { type: 'openai' },
    { type: 'anthropic', baseUrl: 'https://api.anthropic.com' },
    { type: 'openai-compatible', apiKey: 'key' },
  ] as const)('refuses %j as misconfigured, permanently', (fields) => {
    expect(() => createLlmAdapter(connection(fields), outbound)).toThrow(
      expect.objectContaining({ kind: 'permanent', code: 'provider_misconfigured' }),
    );
  });
});
