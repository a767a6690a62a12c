import { executionBackoff, jitteredExponentialDelay } from './retry-policy';

const withRetryAfter = (retryAfterMs: number) => Object.assign(new Error('429'), { retryAfterMs });

describe('jitteredExponentialDelay', () => {
  it('draws between the base and base × 2^(n−1)', () => {
    expect([1, 2, 3, 4].map((n) => jitteredExponentialDelay(n, 1_000, 60_000, () => 1))).toEqual([
      1_000, 2_000, 4_000, 8_000,
    ]);
    expect([1, 2, 3, 4].map((n) => jitteredExponentialDelay(n, 1_000, 60_000, () => 0))).toEqual([
      1_000, 1_000, 1_000, 1_000,
    ]);
    expect(jitteredExponentialDelay(3, 1_000, 60_000, () => 0.5)).toBe(2_500);
  });

  it('stops growing at the maximum, however many attempts were made', () => {
    expect(jitteredExponentialDelay(7, 1_000, 60_000, () => 1)).toBe(60_000);
    expect(jitteredExponentialDelay(5_000, 1_000, 60_000, () => 1)).toBe(60_000);
  });

  it('treats attempt 0 like the first', () => {
    expect(jitteredExponentialDelay(0, 1_000, 60_000, () => 1)).toBe(1_000);
  });
});

describe('executionBackoff', () => {
  it('waits what the provider asked for', () => {
    expect(executionBackoff(1, 'custom', withRetryAfter(7_000))).toBe(7_000);
    expect(executionBackoff(9, 'custom', withRetryAfter(0))).toBe(0);
  });

  it('caps a provider’s wait at 10 minutes and never goes negative', () => {
    expect(executionBackoff(1, 'custom', withRetryAfter(3_600_000))).toBe(600_000);
    expect(executionBackoff(1, 'custom', withRetryAfter(-5))).toBe(0);
  });

  it('falls back to jittered exponential backoff without a Retry-After', () => {
    for (let i = 0; i < 50; i += 1) {
      const first = executionBackoff(1, 'custom', new Error('503'));
      const third = executionBackoff(3, 'custom');
      expect(first).toBe(1_000);
      expect(third).toBeGreaterThanOrEqual(1_000);
      expect(third).toBeLessThanOrEqual(4_000);
    }
  });
});
