import { startTestStack, TestStack } from './support/test-stack';

describe('failed authentication is rate-limited per client address', () => {
  let stack: TestStack;
  let tenant: { apiKey: string };

  beforeAll(async () => {
    // Behind a trusted proxy each test can speak from its own client address.
    stack = await startTestStack({ env: { AUTH_FAILURE_LIMIT: '5', TRUST_PROXY: 'loopback' } });
    tenant = await stack.createTenant();
  });

  afterAll(() => stack.stop());

  it('answers 429 with Retry-After once an address has failed too often, even with a valid key', async () => {
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

  it('lets no more than the limit of concurrent failures through (check and count are one step)', async () => {
    const from = { 'x-forwarded-for': '198.51.100.20' };
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        stack.http.request('GET', '/v1/agents', {
          token: `aq_concurrent${i}_guess_000000000`,
          headers: from,
        }),
      ),
    );
    const statuses = answers.map((answer) => answer.status);
    expect(statuses.filter((status) => status === 401)).toHaveLength(5);
    expect(statuses.filter((status) => status === 429)).toHaveLength(15);
    const valid = await stack.http.request('GET', '/v1/agents', {
      token: tenant.apiKey,
      headers: from,
    });
    expect(valid.status).toBe(429);
  });
});
