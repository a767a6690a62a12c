import { ShortLivedCache } from './short-lived-cache';

describe('ShortLivedCache', () => {
  beforeEach(() => jest.useFakeTimers({ now: 0 }));
  afterEach(() => jest.useRealTimers());

  const counting = () => {
    let reads = 0;
    return { read: async () => (reads += 1), reads: () => reads };
  };

  it('reads a key once within its time, and again after it', async () => {
    const cache = new ShortLivedCache<number>(1_000, 10);
    const source = counting();
    expect(await cache.get('a', source.read)).toBe(1);
    jest.setSystemTime(999);
    expect(await cache.get('a', source.read)).toBe(1);
    jest.setSystemTime(1_000);
    expect(await cache.get('a', source.read)).toBe(2);
  });

  it('keeps keys apart, and starts over past its size', async () => {
    const cache = new ShortLivedCache<number>(1_000, 2);
    const source = counting();
    await cache.get('a', source.read);
    await cache.get('b', source.read);
    await cache.get('a', source.read);
    expect(source.reads()).toBe(2);
    await cache.get('c', source.read);
    await cache.get('a', source.read);
    expect(source.reads()).toBe(4);
  });
});
