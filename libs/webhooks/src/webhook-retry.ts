export interface WebhookRetryPolicy {
  baseMs: number;
  maxDelayMs: number;
  /** Retries stop once the delivery's retry window has passed. */
  windowMs: number;
}

/**
 * Delay before attempt `failedAttempts + 1`: exponential (base × 2^(n−1)) up to the maximum, with
 * jitter drawing between half and all of it so endpoints coming back are not hit in step.
 */
export function webhookRetryDelayMs(
  failedAttempts: number,
  policy: WebhookRetryPolicy,
  random: () => number = Math.random,
): number {
  const exponent = Math.min(Math.max(failedAttempts - 1, 0), 40);
  const ceiling = Math.min(policy.baseMs * 2 ** exponent, policy.maxDelayMs);
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

/** What to do after a failed attempt: retry at a time, or give up (the window has passed). */
export function nextWebhookAttempt(
  failedAttempts: number,
  windowStartedAt: Date,
  now: Date,
  policy: WebhookRetryPolicy,
  random: () => number = Math.random,
): { retryAt: Date } | { giveUp: true } {
  const retryAt = new Date(now.getTime() + webhookRetryDelayMs(failedAttempts, policy, random));
  if (retryAt.getTime() > windowStartedAt.getTime() + policy.windowMs) return { giveUp: true };
  return { retryAt };
}
