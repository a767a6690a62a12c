import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@agentq/config';

interface Window {
  startedAt: number;
  failures: number;
}

const MAX_TRACKED_ADDRESSES = 50_000;

/**
 * Fixed-window count of failed authentications per client address, per API process. Past the
 * limit an address gets 429 until its window ends, valid key or not, so guessing keys is slow.
 * Requests already past the first check when the limit is reached learn nothing either: a
 * failure is counted and compared in one synchronous step, and the caller answers 429 for every
 * failure beyond the limit (and re-checks after a successful lookup).
 */
@Injectable()
export class FailedAuthLimiter {
  private readonly windows = new Map<string, Window>();
  private readonly limit: number;
  private readonly windowMs: number;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.limit = config.auth.failureLimit;
    this.windowMs = config.auth.failureWindowSeconds * 1_000;
  }

  /** Seconds until the address may try again, or 0 when it is not blocked. */
  blockedForSeconds(address: string, now = Date.now()): number {
    const window = this.windows.get(address);
    if (!window || now - window.startedAt >= this.windowMs || window.failures < this.limit)
      return 0;
    return Math.ceil((window.startedAt + this.windowMs - now) / 1_000);
  }

  /** Counts a failure; seconds the address is blocked for if it went past the limit, else 0. */
  recordFailure(address: string, now = Date.now()): number {
    const window = this.windows.get(address);
    if (window && now - window.startedAt < this.windowMs) {
      window.failures += 1;
      return window.failures > this.limit
        ? Math.ceil((window.startedAt + this.windowMs - now) / 1_000)
        : 0;
    }
    if (this.windows.size >= MAX_TRACKED_ADDRESSES) this.forgetExpired(now);
    this.windows.set(address, { startedAt: now, failures: 1 });
    return 0; // the limit is at least 1
  }

  private forgetExpired(now: number) {
    for (const [address, window] of this.windows) {
      if (now - window.startedAt >= this.windowMs) this.windows.delete(address);
    }
    // Still full: a flood of distinct addresses; forget the oldest half rather than grow.
    if (this.windows.size >= MAX_TRACKED_ADDRESSES) {
      [...this.windows.keys()]
        .slice(0, MAX_TRACKED_ADDRESSES / 2)
        .forEach((a) => this.windows.delete(a));
    }
  }
}
