/** Exponential backoff with full jitter: attempt n waits a random time in [base, base * 2^(n-1)]. */
export function jitteredExponentialDelay(
  attemptsMade: number,
  baseMs = 1_000,
  maxMs = 60_000,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.max(0, attemptsMade - 1));
  return Math.round(baseMs + random() * Math.max(0, ceiling - baseMs));
}
