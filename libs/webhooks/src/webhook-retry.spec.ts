import { nextWebhookAttempt, webhookRetryDelayMs } from './webhook-retry';

const policy = { baseMs: 1_000, maxDelayMs: 60_000, windowMs: 86_400_000 };
const start = new Date('2026-01-01T00:00:00Z');
const at = (ms: number) => new Date(start.getTime() + ms);

describe('webhookRetryDelayMs', () => {
  it('doubles per failed attempt, drawing between half and all of it', () => {
    expect([1, 2, 3, 4].map((n) => webhookRetryDelayMs(n, policy, () => 1))).toEqual([
      1_000, 2_000, 4_000, 8_000,
    ]);
    expect([1, 2, 3, 4].map((n) => webhookRetryDelayMs(n, policy, () => 0))).toEqual([
      500, 1_000, 2_000, 4_000,
    ]);
  });

  it('is capped at the maximum delay, jitter included', () => {
    expect(webhookRetryDelayMs(30, policy, () => 1)).toBe(60_000);
    expect(webhookRetryDelayMs(30, policy, () => 0)).toBe(30_000);
  });

  it('stays finite for absurd attempt counts', () => {
    expect(webhookRetryDelayMs(10_000, policy, () => 1)).toBe(60_000);
  });

  it('treats attempt 0 like the first', () => {
    expect(webhookRetryDelayMs(0, policy, () => 1)).toBe(1_000);
  });

  it('follows the configured base and maximum', () => {
    const quick = { baseMs: 50, maxDelayMs: 200, windowMs: 5_000 };
    expect([1, 2, 3, 4].map((n) => webhookRetryDelayMs(n, quick, () => 1))).toEqual([
      50, 100, 200, 200,
    ]);
  });
});

describe('nextWebhookAttempt', () => {
  it('schedules the retry from now, not from the window start', () => {
    expect(nextWebhookAttempt(2, start, at(10_000), policy, () => 1)).toEqual({
      retryAt: at(12_000),
    });
  });

  it('still retries when the retry lands exactly at the end of the window', () => {
    expect(nextWebhookAttempt(30, start, at(86_400_000 - 60_000), policy, () => 1)).toEqual({
      retryAt: at(86_400_000),
    });
  });

  it('gives up once the next attempt would fall past the window', () => {
    expect(nextWebhookAttempt(30, start, at(86_400_000 - 59_999), policy, () => 1)).toEqual({
      giveUp: true,
    });
    expect(nextWebhookAttempt(20, start, at(86_399_000), policy, () => 1)).toEqual({
      giveUp: true,
    });
  });

  it('decides with the jittered delay: a shorter draw may still fit in the window', () => {
    const now = at(86_400_000 - 40_000);
    expect(nextWebhookAttempt(30, start, now, policy, () => 1)).toEqual({ giveUp: true });
    expect(nextWebhookAttempt(30, start, now, policy, () => 0)).toEqual({
      retryAt: at(86_400_000 - 10_000),
    });
  });
});
