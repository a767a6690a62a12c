import { CONCURRENCY_KEY_PATTERN, concurrencyKeyId, concurrencyKeyValue } from './concurrency-key';

const attribution = {
  apiKeyId: 'key-1',
  user: 'user-123',
  metadata: { tenant: 'acme', seats: 3, seatsText: '3', nothing: null },
};

describe('concurrency keys', () => {
  it('accepts user, apiKey and metadata.<key>, nothing else', () => {
    for (const key of ['user', 'apiKey', 'metadata.orgId', 'metadata.a.b:c-d_e']) {
      expect(CONCURRENCY_KEY_PATTERN.test(key)).toBe(true);
    }
    for (const key of ['users', 'metadata.', 'metadata.has space', 'tag', '']) {
      expect(CONCURRENCY_KEY_PATTERN.test(key)).toBe(false);
    }
  });

  it('reads the value an execution counts under', () => {
    expect(concurrencyKeyValue('user', attribution)).toBe('user-123');
    expect(concurrencyKeyValue('apiKey', attribution)).toBe('key-1');
    expect(concurrencyKeyValue('metadata.tenant', attribution)).toBe('s:acme');
    expect(concurrencyKeyValue('metadata.seats', attribution)).not.toBe(
      concurrencyKeyValue('metadata.seatsText', attribution),
    );
  });

  it('has no value without the field: such executions are not limited per key', () => {
    expect(concurrencyKeyValue('user', { ...attribution, user: null })).toBeNull();
    expect(concurrencyKeyValue('metadata.nothing', attribution)).toBeNull();
    expect(concurrencyKeyValue('metadata.missing', attribution)).toBeNull();
    expect(concurrencyKeyValue('metadata.tenant', { ...attribution, metadata: null })).toBeNull();
  });

  it('names a value by a short hash safe in a Redis key', () => {
    const id = concurrencyKeyId('any } { thing\n');
    expect(id).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(concurrencyKeyId('a')).not.toBe(concurrencyKeyId('b'));
  });
});
