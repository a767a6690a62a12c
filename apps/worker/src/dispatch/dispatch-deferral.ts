import { formatDuration } from '@agentq/logging';

/** Why an attempt waits instead of calling the provider (the `reason` label of the metrics). */
export type DeferralReason =
  'concurrency' | 'rate_limit' | 'provider_paused' | 'budget_reserved' | 'debounced';

/**
 * Thrown by the paced adapter (and returned by the gate) when an attempt must wait before its
 * first model call: the job goes back to the delayed set for `delayMs`, the row back to
 * `queued`, and no retry attempt is used.
 */
export class DispatchDeferral extends Error {
  constructor(
    readonly reason: DeferralReason,
    readonly delayMs: number,
  ) {
    super(`waiting ${formatDuration(delayMs)} (${reason})`);
    this.name = 'DispatchDeferral';
  }
}
