import { ProviderRateLimit } from '@agentq/database';
import { LlmError } from '@agentq/llm';

/** A 429 without Retry-After pauses the provider this long. */
export const DEFAULT_PAUSE_MS = 2_000;
/** The longest pause a provider's Retry-After can impose (as for retries). */
export const MAX_PAUSE_MS = 10 * 60_000;
/**
 * An execution whose own calls met this many provider pauses stops waiting them out for free:
 * its next 429 is an ordinary retryable failure that uses an attempt, so nothing loops forever.
 */
export const MAX_FREE_PAUSES_PER_EXECUTION = 10;

/**
 * How long the whole provider should pause after this error: a 429 (for Retry-After or a
 * default), a 529 or 503 only when it says Retry-After; null for anything else.
 */
export function providerPauseMs(error: unknown): number | null {
  if (!(error instanceof LlmError)) return null;
  let pauseMs: number | undefined;
  if (error.kind === 'rate_limited') pauseMs = error.retryAfterMs ?? DEFAULT_PAUSE_MS;
  else if (error.status === 529 || error.status === 503) pauseMs = error.retryAfterMs;
  if (pauseMs === undefined) return null;
  return Math.min(Math.max(pauseMs, 1), MAX_PAUSE_MS);
}

/** The spacing a rate limit asks for: ms between requests, ms per token; 0 where unlimited. */
export function pacingIntervals(limit: ProviderRateLimit | null): {
  requestIntervalMs: number;
  tokenIntervalMs: number;
} {
  return {
    requestIntervalMs: limit?.requestsPerMinute ? 60_000 / limit.requestsPerMinute : 0,
    tokenIntervalMs: limit?.tokensPerMinute ? 60_000 / limit.tokensPerMinute : 0,
  };
}
