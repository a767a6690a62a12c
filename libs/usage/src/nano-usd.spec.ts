import { divideRoundingHalfUp, formatNanoUsd, parseNanoUsd } from './nano-usd';

describe('nano-USD decimals', () => {
  it.each([
    ['0', 0n],
    ['2.50', 2_500_000_000n],
    ['0.000000001', 1n],
    ['123456789.123456789', 123_456_789_123_456_789n],
  ])('parses %s', (text, nano) => {
    expect(parseNanoUsd(text)).toBe(nano);
  });

  it.each(['', '-1', '1.', '.5', '1.0000000001', '1e3', ' 1', 'NaN'])('refuses %j', (text) => {
    expect(parseNanoUsd(text)).toBeNull();
  });

  it('formats with nine fractional digits', () => {
    expect(formatNanoUsd(0n)).toBe('0.000000000');
    expect(formatNanoUsd(150n)).toBe('0.000000150');
    expect(formatNanoUsd(12_345_000_000_001n)).toBe('12345.000000001');
  });

  it('rounds halves up', () => {
    expect(divideRoundingHalfUp(4n, 10n)).toBe(0n);
    expect(divideRoundingHalfUp(5n, 10n)).toBe(1n);
    expect(divideRoundingHalfUp(15n, 10n)).toBe(2n);
    expect(divideRoundingHalfUp(20n, 10n)).toBe(2n);
  });
});
