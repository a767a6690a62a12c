import { startTestStack, TestStack } from './support/test-stack';

const LAST_USED_INTERVAL_MS = 200;

async function waitFor<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + 5_000;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`still ${JSON.stringify(value)} after 5 s`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

// Authentication served from the in-process cache (default TTL) with a fast last_used_at flush.
describe('cached authentication', () => {
  let stack: TestStack;
  let admin: string;

  beforeAll(async () => {
    stack = await startTestStack({
      env: { AUTH_LAST_USED_INTERVAL_MS: String(LAST_USED_INTERVAL_MS) },
    });
    admin = (await stack.createTenant('cache')).apiKey;
  });

  afterAll(() => stack.stop());

  async function newKey(scopes: string[]): Promise<{ id: string; key: string }> {
    const created = await stack.http.post(
      '/v1/api-keys',
      { name: scopes.join('+'), scopes },
      admin,
    );
    expect(created.status).toBe(201);
    return created.body;
  }

  it('still honours scopes when the key is answered from the cache', async () => {
    const reader = await newKey(['read']);
    const writer = await newKey(['write']);
    for (let i = 0; i < 3; i += 1) {
      expect((await stack.http.get('/v1/agents', reader.key)).status).toBe(200);
      const write = await stack.http.post('/v1/providers', { name: 'x', type: 'echo' }, reader.key);
      expect([write.status, write.body.error.code]).toEqual([403, 'insufficient_scope']);
      const read = await stack.http.get('/v1/agents', writer.key);
      expect([read.status, read.body.error.code]).toEqual([403, 'insufficient_scope']);
    }
  });

  it('accepts a key created right after its hash was refused', async () => {
    expect((await stack.http.get('/v1/agents', 'aq_not_a_key_yet_000000000000')).status).toBe(401);
    const fresh = await newKey(['read', 'write']);
    expect((await stack.http.get('/v1/agents', fresh.key)).status).toBe(200);
  });

  it('writes last_used_at off the request path, once per interval', async () => {
    const { id, key } = await newKey(['read']);
    const lastUsedAt = async (): Promise<Date | null> =>
      (await stack.db.query(`SELECT last_used_at FROM api_keys WHERE id = $1`, [id]))[0]
        .last_used_at;

    const usedAt = Date.now();
    expect((await stack.http.get('/v1/agents', key)).status).toBe(200);
    const first = await waitFor(lastUsedAt, (value) => value !== null);
    expect(first!.getTime()).toBeGreaterThanOrEqual(usedAt - 1_000);

    await new Promise((resolve) => setTimeout(resolve, LAST_USED_INTERVAL_MS));
    expect((await stack.http.get('/v1/agents', key)).status).toBe(200);
    const second = await waitFor(lastUsedAt, (value) => value!.getTime() > first!.getTime());
    expect(second!.getTime()).toBeGreaterThan(first!.getTime());
  });
});
