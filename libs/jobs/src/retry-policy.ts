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

const MAX_RETRY_AFTER_MS = 10 * 60_000;

/**
 * BullMQ's backoff strategy for execution jobs (it passes the job as a fourth argument): the
 * provider's Retry-After wins, up to 10 minutes; otherwise exponential backoff with jitter.
 */
export function executionBackoff(attemptsMade: number, _type?: string, error?: Error): number {
  const retryAfterMs = (error as { retryAfterMs?: number } | undefined)?.retryAfterMs;
  if (retryAfterMs === undefined) return jitteredExponentialDelay(attemptsMade);
  return Math.min(Math.max(0, retryAfterMs), MAX_RETRY_AFTER_MS);
}
