import { createHmac } from 'node:crypto';
import { newWebhookSecret, signWebhook, webhookHeaders } from './webhook-signature';

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
