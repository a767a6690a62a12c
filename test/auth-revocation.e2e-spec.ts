import { TEST_ADMIN_TOKEN } from '@agentq/testing';
import { PrivateRedis } from './faults/support/private-redis';
import { ApiProcess, startApiProcess, useBuiltProcessEnv } from './support/api-process';

const REVOCATION_BOUND_MS = 1_000;

async function stopApi(api: ApiProcess | undefined) {
  if (!api || api.process.child.exitCode !== null) return;
  api.process.child.kill('SIGTERM');
  await api.process.exited;
}

// Keeps asking with the key until it is refused, from before the revocation: resolves to the
// send time of the last request that was still accepted.
function watchUntilRefused(api: ApiProcess, key: string): Promise<number> {
  return (async () => {
    let lastAcceptedAt = 0;
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      const sentAt = Date.now();
      const answer = await api.http.get('/v1/agents', key);
      if (answer.status === 401) return lastAcceptedAt;
      expect(answer.status).toBe(200);
      lastAcceptedAt = sentAt;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    throw new Error('the revoked key was still accepted after 10 s');
  })();
}

// When the revocation was committed, as the API lists it.
async function revokedAt(api: ApiProcess, admin: string, id: string): Promise<number> {
  const list = await api.http.get('/v1/api-keys', admin);
  const row = list.body.data.find((key: { id: string }) => key.id === id);
  return Date.parse(row.revokedAt);
}

// Two API processes with the authentication cache on (the default 30 s TTL): a key revoked
// through one is refused by the other within a second, with Redis up and with Redis down.
describe('API key revocation across API processes', () => {
  const builtEnv = useBuiltProcessEnv();

  // A tenant made through `a`, and a second key of it that both processes have cached.
  async function cachedKeyOnBoth(a: ApiProcess, b: ApiProcess) {
    const tenant = await a.http.post('/v1/admin/tenants', { name: 'revocation' }, TEST_ADMIN_TOKEN);
    expect(tenant.status).toBe(201);
    const admin = tenant.body.apiKey.key;
    const created = await a.http.post('/v1/api-keys', { name: 'to revoke' }, admin);
    expect(created.status).toBe(201);
    for (const api of [a, b]) {
      expect((await api.http.get('/v1/agents', created.body.key)).status).toBe(200);
    }
    return { admin, id: created.body.id as string, key: created.body.key as string };
  }

  describe('with Redis up', () => {
    let a: ApiProcess;
    let b: ApiProcess;

    beforeAll(async () => {
      [a, b] = await Promise.all([startApiProcess(builtEnv()), startApiProcess(builtEnv())]);
    }, 90_000);

    afterAll(async () => {
      await Promise.all([stopApi(a), stopApi(b)]);
    });

    it('a key revoked through one process is refused by the other within 1 s', async () => {
      const { admin, id, key } = await cachedKeyOnBoth(a, b);
      const watching = watchUntilRefused(b, key);
      const revoked = await a.http.delete(`/v1/api-keys/${id}`, admin);
      expect(revoked.status).toBe(204);
      expect((await a.http.get('/v1/agents', key)).status).toBe(401);
      const lastAcceptedAt = await watching;
      expect(lastAcceptedAt - (await revokedAt(a, admin, id))).toBeLessThan(REVOCATION_BOUND_MS);
      // The tenant's other key is untouched.
      expect((await b.http.get('/v1/agents', admin)).status).toBe(200);
    });
  });

  describe('with Redis down', () => {
    let redis: PrivateRedis;
    let a: ApiProcess;
    let b: ApiProcess;

    beforeAll(async () => {
      redis = new PrivateRedis();
      await redis.start();
      const privateEnv = { ...builtEnv(), REDIS_URL: redis.url };
      [a, b] = await Promise.all([startApiProcess(privateEnv), startApiProcess(privateEnv)]);
    }, 90_000);

    afterAll(async () => {
      await Promise.all([stopApi(a), stopApi(b)]);
      await redis?.stop();
    });

    it('no process trusts its cache for more than a second, and the revoke asks to be repeated', async () => {
      const { admin, id, key } = await cachedKeyOnBoth(a, b);
      await redis.kill();
      const watching = [a, b].map((api) => watchUntilRefused(api, key));
      const revoked = await a.http.delete(`/v1/api-keys/${id}`, admin);
      expect(revoked.status).toBe(503);
      expect(revoked.body.error.code).toBe('service_unavailable');
      const committedAt = await revokedAt(a, admin, id);
      for (const lastAcceptedAt of await Promise.all(watching)) {
        expect(lastAcceptedAt - committedAt).toBeLessThan(REVOCATION_BOUND_MS);
      }
      expect((await b.http.get('/v1/agents', admin)).status).toBe(200);
    });
  });
});
