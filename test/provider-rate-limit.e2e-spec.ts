import { startTestStack, TestStack, TestTenant } from './support/test-stack';

describe('provider rateLimit (POST/GET/PATCH /v1/providers)', () => {
  let stack: TestStack;
  let tenant: TestTenant;

  beforeAll(async () => {
    stack = await startTestStack();
    tenant = await stack.createTenant();
  });

  afterAll(() => stack?.stop());

  const create = (body: Record<string, unknown>) =>
    stack.http.post('/v1/providers', { type: 'echo', ...body }, tenant.apiKey);
  const providerCount = async () =>
    (await stack.http.get('/v1/providers', tenant.apiKey)).body.data.length;

  it('stores, shows, changes and clears a rate limit', async () => {
    const created = await create({
      name: 'limited',
      rateLimit: { requestsPerMinute: 60, tokensPerMinute: 90_000 },
    });
    expect(created.status).toBe(201);
    expect(created.body.rateLimit).toEqual({ requestsPerMinute: 60, tokensPerMinute: 90_000 });
    const path = `/v1/providers/${created.body.id}`;
    expect((await stack.http.get(path, tenant.apiKey)).body.rateLimit).toEqual({
      requestsPerMinute: 60,
      tokensPerMinute: 90_000,
    });

    const changed = await stack.http.patch(
      path,
      { rateLimit: { requestsPerMinute: 30 } },
      tenant.apiKey,
    );
    expect(changed.status).toBe(200);
    expect(changed.body.rateLimit).toEqual({ requestsPerMinute: 30 });
    const untouched = await stack.http.patch(path, { name: 'renamed' }, tenant.apiKey);
    expect(untouched.body.rateLimit).toEqual({ requestsPerMinute: 30 });

    const cleared = await stack.http.patch(path, { rateLimit: null }, tenant.apiKey);
    expect(cleared.body.rateLimit).toBeNull();
    expect((await create({ name: 'unlimited' })).body.rateLimit).toBeNull();
  });

  it.each([
    [{ requestsPerMinute: 0 }, 'requestsPerMinute'],
    [{ requestsPerMinute: -5 }, 'requestsPerMinute'],
    [{ tokensPerMinute: 1.5 }, 'tokensPerMinute'],
    [{ tokensPerMinute: '1000' }, 'tokensPerMinute'],
    [{ requestsPerMinute: 60, burst: 5 }, 'burst'],
    ['60/min', ''],
  ])(
    'refuses rateLimit %j with a 400 naming the field, writing nothing',
    async (rateLimit, part) => {
      const before = await providerCount();
      const answer = await create({ name: `bad-${before}`, rateLimit });
      expect(answer.status).toBe(400);
      expect(answer.body.error.code).toBe('validation_failed');
      const detail = answer.body.error.details.find(
        (d: { field: string }) => d.field === 'rateLimit',
      );
      expect(detail.message).toContain(part);
      expect(await providerCount()).toBe(before);
    },
  );

  it('refuses a bad rate limit on PATCH and keeps the stored one', async () => {
    const created = await create({ name: 'patched', rateLimit: { requestsPerMinute: 10 } });
    const path = `/v1/providers/${created.body.id}`;
    const answer = await stack.http.patch(
      path,
      { rateLimit: { requestsPerMinute: 0 } },
      tenant.apiKey,
    );
    expect(answer.status).toBe(400);
    expect((await stack.http.get(path, tenant.apiKey)).body.rateLimit).toEqual({
      requestsPerMinute: 10,
    });
  });
});
