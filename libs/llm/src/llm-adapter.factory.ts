import { OutboundClient } from '@agentq/outbound';
import { ANTHROPIC_DEFAULT_BASE_URL, AnthropicAdapter } from './anthropic.adapter';
import { EchoAdapter } from './echo.adapter';
import { LlmError } from './llm-errors';
import { LlmProviderAdapter, ProviderConnection } from './llm-provider.port';
import { OPENAI_DEFAULT_BASE_URL, OpenAiAdapter } from './openai.adapter';

// Keyless servers (Ollama, a local vLLM) ignore the bearer token, but the SDK insists on one.
const KEYLESS_PLACEHOLDER = 'no-key';

/**
 * One adapter per provider connection; build it once and reuse it, it holds the SDK client.
 * Every request it makes goes through `outbound` (address policy, redirects, limits).
 * Throws a permanent `LlmError` (`provider_misconfigured`) when the connection cannot work.
 */
export function createLlmAdapter(
  connection: ProviderConnection,
  outbound: OutboundClient,
): LlmProviderAdapter {
  switch (connection.type) {
    case 'openai':
      return new OpenAiAdapter({
        apiKey: requireApiKey(connection),
        baseUrl: connection.baseUrl ?? OPENAI_DEFAULT_BASE_URL,
        maxTokensParameter: 'max_completion_tokens',
        fetch: outbound.fetch,
      });
    case 'openai-compatible':
      return new OpenAiAdapter({
        apiKey: connection.apiKey ?? KEYLESS_PLACEHOLDER,
        baseUrl: requireBaseUrl(connection),
        maxTokensParameter: 'max_tokens',
        fetch: outbound.fetch,
      });
    case 'anthropic':
      return new AnthropicAdapter({
        apiKey: requireApiKey(connection),
        baseUrl: connection.baseUrl ?? ANTHROPIC_DEFAULT_BASE_URL,
        fetch: outbound.fetch,
      });
    case 'echo':
      return new EchoAdapter(echoLatencyMs(connection.settings));
  }
}

function misconfigured(message: string): LlmError {
  return new LlmError({ kind: 'permanent', code: 'provider_misconfigured', message });
}

function requireApiKey({ type, apiKey }: ProviderConnection): string {
  if (!apiKey) throw misconfigured(`an ${type} provider needs an API key`);
  return apiKey;
}

function requireBaseUrl({ type, baseUrl }: ProviderConnection): string {
  if (!baseUrl) throw misconfigured(`an ${type} provider needs a base URL`);
  return baseUrl;
}

function echoLatencyMs(settings: Record<string, unknown>): number {
  const { latencyMs } = settings;
  return typeof latencyMs === 'number' && Number.isFinite(latencyMs) && latencyMs > 0
    ? latencyMs
    : 0;
}
