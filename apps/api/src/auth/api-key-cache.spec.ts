import { ApiKeyCache, UNSUBSCRIBED_TTL_MS } from './api-key-cache';
import { AuthContext } from './auth.decorators';

const KEY: AuthContext = { apiKeyId: 'key-1', tenantId: 'tenant-1', scopes: ['read', 'write'] };

// A loader over a plain table of hashes that counts its calls and can be held open.
function fakeLoader(table: Record<string, AuthContext>) {
  const loader = {
    calls: 0,
    held: [] as (() => void)[],
    hold: false,
    load: (hash: string): Promise<AuthContext | null> => {
      loader.calls += 1;
      const answer = table[hash] ?? null;
      if (!loader.hold) return Promise.resolve(answer);
      return new Promise((resolve) => loader.held.push(() => resolve(answer)));
    },
    release() {
      loader.held.splice(0).forEach((resolve) => resolve());
    },
  };
  return loader;
}

function setup(ttlMs = 30_000) {
  const clock = { now: 1_000_000 };
  const cache = new ApiKeyCache({ ttlMs, now: () => clock.now });
  cache.setSubscribed(true);
  const loader = fakeLoader({ h1: KEY });
  return { clock, cache, loader };
}

describe('ApiKeyCache', () => {
  it('answers a known key from memory until its TTL ends', async () => {
    const { clock, cache, loader } = setup();
    expect(await cache.resolve('h1', loader.load)).toEqual(KEY);
    clock.now += 29_999;
    expect(await cache.resolve('h1', loader.load)).toEqual(KEY);
    expect(loader.calls).toBe(1);
    clock.now += 1;
    expect(await cache.resolve('h1', loader.load)).toEqual(KEY);
    expect(loader.calls).toBe(2);
  });

  it('never caches an unknown key, so a key created later is accepted at once', async () => {
    const { cache, loader } = setup();
    const table: Record<string, AuthContext> = {};
    const late = fakeLoader(table);
    expect(await cache.resolve('h2', late.load)).toBeNull();
    table.h2 = KEY;
    expect(await cache.resolve('h2', late.load)).toEqual(KEY);
    expect(await cache.resolve('nope', loader.load)).toBeNull();
    expect(await cache.resolve('nope', loader.load)).toBeNull();
    expect(loader.calls).toBe(2);
  });

  it('shares one load between concurrent lookups of a hash, unknown ones included', async () => {
    const { cache, loader } = setup();
    loader.hold = true;
    const answers = Promise.all([1, 2, 3].map(() => cache.resolve('unknown', loader.load)));
    loader.release();
    expect(await answers).toEqual([null, null, null]);
    expect(loader.calls).toBe(1);
  });

  it('forgets a revoked key at once', async () => {
    const { cache, loader } = setup();
    await cache.resolve('h1', loader.load);
    cache.forgetKey('key-1');
    await cache.resolve('h1', loader.load);
    expect(loader.calls).toBe(2);
  });

  it('does not cache a load that was in flight when a revocation arrived', async () => {
    const { cache, loader } = setup();
    loader.hold = true;
    const before = cache.resolve('h1', loader.load);
    cache.forgetKey('key-1');
    loader.release();
    expect(await before).toEqual(KEY);
    loader.hold = false;
    await cache.resolve('h1', loader.load);
    await cache.resolve('h1', loader.load);
    expect(loader.calls).toBe(2);
  });

  it('does not share such a load with lookups made after the revocation', async () => {
    const { cache, loader } = setup();
    loader.hold = true;
    const before = cache.resolve('h1', loader.load);
    cache.forgetKey('key-1');
    const after = cache.resolve('h1', loader.load);
    expect(loader.calls).toBe(2);
    loader.release();
    await Promise.all([before, after]);
  });

  it('trusts nothing older than a second while revocations cannot arrive', async () => {
    const { clock, cache, loader } = setup();
    await cache.resolve('h1', loader.load);
    clock.now += 5_000;
    cache.setSubscribed(false);
    await cache.resolve('h1', loader.load);
    expect(loader.calls).toBe(2);
    clock.now += UNSUBSCRIBED_TTL_MS - 1;
    await cache.resolve('h1', loader.load);
    expect(loader.calls).toBe(2);
    clock.now += 1;
    await cache.resolve('h1', loader.load);
    expect(loader.calls).toBe(3);
  });

  it('starts empty when the subscription comes back: revocations may have been missed', async () => {
    const { cache, loader } = setup();
    cache.setSubscribed(false);
    await cache.resolve('h1', loader.load);
    cache.setSubscribed(true);
    await cache.resolve('h1', loader.load);
    expect(loader.calls).toBe(2);
    await cache.resolve('h1', loader.load);
    expect(loader.calls).toBe(2);
  });

  it('with a TTL of 0 always loads', async () => {
    const { cache, loader } = setup(0);
    await cache.resolve('h1', loader.load);
    await cache.resolve('h1', loader.load);
    expect(loader.calls).toBe(2);
  });

  it('drops the oldest entry when full', async () => {
    const clock = { now: 0 };
    const cache = new ApiKeyCache({ ttlMs: 30_000, maxEntries: 2, now: () => clock.now });
    cache.setSubscribed(true);
    const loader = fakeLoader({ a: KEY, b: KEY, c: KEY });
    for (const hash of ['a', 'b', 'c']) await cache.resolve(hash, loader.load);
    await cache.resolve('c', loader.load);
    await cache.resolve('b', loader.load);
    expect(loader.calls).toBe(3);
    await cache.resolve('a', loader.load);
    expect(loader.calls).toBe(4);
  });
});
