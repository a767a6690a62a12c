const FRACTION_DIGITS = 9;
const NANO_PER_USD = 10n ** BigInt(FRACTION_DIGITS);
const DECIMAL_USD = /^(\d+)(?:\.(\d{1,9}))?$/;

/** A non-negative decimal string with at most 9 fractional digits, as billionths of a dollar. */
export function parseNanoUsd(value: string): bigint | null {
  const match = DECIMAL_USD.exec(value);
  if (!match) return null;
  const [, whole, fraction = ''] = match;
  return BigInt(whole) * NANO_PER_USD + BigInt(fraction.padEnd(FRACTION_DIGITS, '0'));
}

/** Billionths of a dollar as the decimal string PostgreSQL stores in numeric(20,9). */
export function formatNanoUsd(nano: bigint): string {
  const whole = nano / NANO_PER_USD;
  const fraction = (nano % NANO_PER_USD).toString().padStart(FRACTION_DIGITS, '0');
  return `${whole}.${fraction}`;
}

/** numerator / denominator for non-negative values, halves rounded up. */
export function divideRoundingHalfUp(numerator: bigint, denominator: bigint): bigint {
  return (numerator * 2n + denominator) / (denominator * 2n);
}
