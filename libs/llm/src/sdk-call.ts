import { LlmError } from './llm-errors';

/**
 * The caller's abort signal is the real deadline (at most an hour, the longest execution timeout),
 * so the SDK's own timeout only has to stay out of its way. Setting it explicitly also stops the
 * Anthropic SDK from refusing non-streaming calls with a large max_tokens.
 */
export const SDK_TIMEOUT_MS = 61 * 60_000;

/** A 2xx answer without the expected shape (HTML from a proxy, a truncated body, ...). */
export function badProviderResponse(detail: string): LlmError {
  return new LlmError({
    kind: 'transient',
    code: 'provider_bad_response',
    message: `the provider answered with ${detail}`,
  });
}

/** A token count from the provider; 0 when a compatible server leaves usage out. */
export function tokenCount(value: unknown): number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : 0;
}

export const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
