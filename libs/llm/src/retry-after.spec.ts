import { retryAfterMs } from './retry-after';

describe('retryAfterMs', () => {
  const now = Date.parse('2025-06-01T12:00:00Z');
  const headers = (values: Record<string, string>) => new Headers(values);

  it('reads retry-after in seconds', () => {
    expect(retryAfterMs(headers({ 'retry-after': '3' }), now)).toBe(3_000);
    expect(retryAfterMs(headers({ 'retry-after': '0.5' }), now)).toBe(500);
  });

  it('reads retry-after as an HTTP date', () => {
    expect(retryAfterMs(headers({ 'retry-after': 'Sun, 01 Jun 2025 12:00:07 GMT' }), now)).toBe(
      7_000,
    );
  });

  it('never returns a negative wait for a date in the past', () => {
    expect(retryAfterMs(headers({ 'retry-after': 'Sun, 01 Jun 2025 11:00:00 GMT' }), now)).toBe(0);
  });

  it('prefers the more precise retry-after-ms', () => {
    expect(retryAfterMs(headers({ 'retry-after': '2', 'retry-after-ms': '1500' }), now)).toBe(
      1_500,
    );
  });

  it('ignores missing and unusable values', () => {
    expect(retryAfterMs(undefined, now)).toBeUndefined();
    expect(retryAfterMs(headers({}), now)).toBeUndefined();
    expect(retryAfterMs(headers({ 'retry-after': 'soon' }), now)).toBeUndefined();
    expect(retryAfterMs(headers({ 'retry-after': '-5' }), now)).toBeUndefined();
    expect(retryAfterMs(headers({ 'retry-after-ms': 'x', 'retry-after': '1' }), now)).toBe(1_000);
  });
});
