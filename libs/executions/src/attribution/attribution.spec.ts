import {
  attributionFromRecord,
  attributionOf,
  attributionRecord,
  endUserSchema,
  metadataSchema,
  tagsSchema,
} from './attribution';

describe('attribution', () => {
  it('accepts the documented shapes and refuses what is over a limit', () => {
    expect(endUserSchema.safeParse('user-123').success).toBe(true);
    expect(endUserSchema.safeParse('u'.repeat(256)).success).toBe(true);
    expect(endUserSchema.safeParse('u'.repeat(257)).success).toBe(false);
    expect(endUserSchema.safeParse('').success).toBe(false);
    expect(tagsSchema.safeParse(['invoice-7781', 'team:billing', 'a/b_c.d']).success).toBe(true);
    expect(tagsSchema.safeParse(['has space']).success).toBe(false);
    expect(tagsSchema.safeParse(['t'.repeat(65)]).success).toBe(false);
    expect(tagsSchema.safeParse(Array.from({ length: 11 }, (_, i) => `t${i}`)).success).toBe(false);
    expect(metadataSchema.safeParse({ orderId: 'A-1', n: 3, nested: { a: [1] } }).success).toBe(
      true,
    );
    expect(metadataSchema.safeParse(['not', 'an', 'object']).success).toBe(false);
    expect(metadataSchema.safeParse({ big: 'x'.repeat(8 * 1024) }).success).toBe(false);
    // Bytes, not characters: 2,800 three-byte characters are over 8 KiB.
    expect(metadataSchema.safeParse({ k: '€'.repeat(2_800) }).success).toBe(false);
  });

  it('stores empty tags and metadata as none, and repeated tags once', () => {
    expect(attributionOf('key-1', { tags: [], metadata: {} })).toEqual({
      apiKeyId: 'key-1',
      user: null,
      tags: null,
      metadata: null,
    });
    expect(attributionOf(null, { user: 'u1', tags: ['a', 'b', 'a'] }).tags).toEqual(['a', 'b']);
  });

  it('round-trips through the column names', () => {
    const attribution = attributionOf('key-1', { user: 'u1', tags: ['x'], metadata: { k: 'v' } });
    expect(attributionFromRecord(attributionRecord(attribution))).toEqual(attribution);
    expect(attributionFromRecord({})).toEqual(attributionOf(null, {}));
  });
});
