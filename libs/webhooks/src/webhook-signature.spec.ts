import { createHmac } from 'node:crypto';
import { newWebhookSecret, signWebhook, webhookHeaders } from './webhook-signature';
import { nextWebhookAttempt, webhookRetryDelayMs } from './webhook-retry';

describe('webhook signatures', () => {
  it('follows Standard Webhooks: v1, base64 HMAC-SHA256 of id.timestamp.body with the decoded key', () => {
    const secret = newWebhookSecret();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    const expected = createHmac('sha256', Buffer.from(secret.slice(6), 'base64'))
      .update('msg_1.1700000000.{"a":1}')
      .digest('base64');
    expect(signWebhook(secret, 'msg_1', 1700000000, '{"a":1}')).toBe(`v1,${expected}`);
  });

  it('signs with every valid secret during a rotation', () => {
    const [a, b] = [newWebhookSecret(), newWebhookSecret()];
    const headers = webhookHeaders([a, b], 'id', 1, 'body');
    expect(headers['webhook-signature'].split(' ')).toEqual([
      signWebhook(a, 'id', 1, 'body'),
      signWebhook(b, 'id', 1, 'body'),
    ]);
  });
});

describe('webhook retries', () => {
  const policy = { baseMs: 1_000, maxDelayMs: 60_000, windowMs: 86_400_000 };

  it('doubles per attempt, jitters between half and all of it, and is capped', () => {
    expect([1, 2, 3, 4].map((n) => webhookRetryDelayMs(n, policy, () => 1))).toEqual([
      1_000, 2_000, 4_000, 8_000,
    ]);
    expect(webhookRetryDelayMs(3, policy, () => 0)).toBe(2_000);
    expect(webhookRetryDelayMs(30, policy, () => 1)).toBe(60_000);
  });

  it('gives up once the next attempt would fall past the retry window', () => {
    const start = new Date('2026-01-01T00:00:00Z');
    expect(nextWebhookAttempt(1, start, start, policy, () => 1)).toEqual({
      retryAt: new Date('2026-01-01T00:00:01Z'),
    });
    expect(
      nextWebhookAttempt(20, start, new Date(start.getTime() + 86_399_000), policy, () => 1),
    ).toEqual({ giveUp: true });
  });
});
