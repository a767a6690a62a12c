import { ANTHROPIC_DEFAULT_BASE_URL, AnthropicAdapter } from './anthropic.adapter';
import { EchoAdapter } from './echo.adapter';
import { LlmError } from './llm-errors';
import { LlmProviderAdapter, ProviderConnection } from './llm-provider.port';
import { OPENAI_DEFAULT_BASE_URL, OpenAiAdapter } from './openai.adapter';

// Keyless servers (Ollama, a local vLLM) ignore the bearer token, but the SDK insists on one.
const KEYLESS_PLACEHOLDER = 'no-key';

/**
 * One adapter per provider connection; build it once and reuse it, it holds the SDK client.
 * Throws a permanent `LlmError` (`provider_misconfigured`) when the connection cannot work.
 */
export function createLlmAdapter(connection: ProviderConnection): LlmProviderAdapter {
  switch (connection.type) {
    case 'openai':
      return new OpenAiAdapter({
        apiKey: requireApiKey(connection),
        baseUrl: connection.baseUrl ?? OPENAI_DEFAULT_BASE_URL,
        maxTokensParameter: 'max_completion_tokens',
      });
    case 'openai-compatible':
      return new OpenAiAdapter({
        apiKey: connection.apiKey ?? KEYLESS_PLACEHOLDER,
        baseUrl: requireBaseUrl(connection),
        maxTokensParameter: 'max_tokens',
      });
    case 'anthropic':
      return new AnthropicAdapter({
        apiKey: requireApiKey(connection),
        baseUrl: connection.baseUrl ?? ANTHROPIC_DEFAULT_BASE_URL,
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
