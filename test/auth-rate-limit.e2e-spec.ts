import { startTestStack, TestStack } from './support/test-stack';

describe('failed authentication is rate-limited per client address', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await startTestStack({ env: { AUTH_FAILURE_LIMIT: '5' } });
  });

  afterAll(() => stack.stop());

  it('answers 429 with Retry-After once an address has failed too often, even with a valid key', async () => {
    const tenant = await stack.createTenant();
    expect((await stack.http.get('/v1/agents', tenant.apiKey)).status).toBe(200);
    for (let i = 0; i < 5; i += 1) {
      expect((await stack.http.get('/v1/agents', `aq_wrong${i}_guess_0000000000`)).status).toBe(
        401,
      );
    }
    const blocked = await stack.http.get('/v1/agents', tenant.apiKey);
    expect(blocked.status).toBe(429);
    expect(blocked.body.error.code).toBe('rate_limited');
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
    const board = await stack.http.get('/admin/queues/api/queues', stack.adminToken);
    expect(board.status).toBe(429);
  });
});
