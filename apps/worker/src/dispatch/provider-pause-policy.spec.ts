import { LlmError } from '@agentq/llm';
import {
  DEFAULT_PAUSE_MS,
  MAX_PAUSE_MS,
  pacingIntervals,
  providerPauseMs,
} from './provider-pause-policy';

const error = (fields: Partial<ConstructorParameters<typeof LlmError>[0]>) =>
  new LlmError({ kind: 'transient', code: 'provider_unavailable', message: 'x', ...fields });

describe('providerPauseMs', () => {
  it('pauses for a 429’s Retry-After, or a default without one', () => {
    expect(providerPauseMs(error({ kind: 'rate_limited', status: 429, retryAfterMs: 2_000 }))).toBe(
      2_000,
    );
    expect(providerPauseMs(error({ kind: 'rate_limited', status: 429 }))).toBe(DEFAULT_PAUSE_MS);
  });

  it('pauses for a 529 or 503 only when it says Retry-After', () => {
    expect(providerPauseMs(error({ status: 529, retryAfterMs: 3_000 }))).toBe(3_000);
    expect(providerPauseMs(error({ status: 503, retryAfterMs: 1_000 }))).toBe(1_000);
    expect(providerPauseMs(error({ status: 503 }))).toBeNull();
    expect(providerPauseMs(error({ status: 500, retryAfterMs: 1_000 }))).toBeNull();
  });

  it('caps a very long Retry-After and ignores other errors', () => {
    expect(providerPauseMs(error({ kind: 'rate_limited', retryAfterMs: 86_400_000 }))).toBe(
      MAX_PAUSE_MS,
    );
    expect(providerPauseMs(new Error('boom'))).toBeNull();
  });
});

describe('pacingIntervals', () => {
  it('spaces requests and tokens evenly over the minute', () => {
    expect(pacingIntervals({ requestsPerMinute: 60, tokensPerMinute: 120_000 })).toEqual({
      requestIntervalMs: 1_000,
      tokenIntervalMs: 0.5,
    });
    expect(pacingIntervals(null)).toEqual({ requestIntervalMs: 0, tokenIntervalMs: 0 });
  });
});
