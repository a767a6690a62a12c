import { Inject, Injectable } from '@nestjs/common';
import { METRICS_REGISTRY } from '@agentq/metrics';
import { Counter, Registry } from 'prom-client';
import { DeferralReason } from './dispatch-deferral';

/** What dispatch held back, as Prometheus series of this worker (summed over workers). */
@Injectable()
export class DispatchMetrics {
  private readonly deferred: Counter;
  private readonly paused: Counter;

  constructor(@Inject(METRICS_REGISTRY) registry: Registry) {
    const registers = [registry];
    this.deferred = new Counter({
      name: 'agentq_dispatch_deferred_total',
      help: 'Attempts put back to wait without using an attempt, by reason (concurrency, rate_limit, provider_paused)',
      labelNames: ['reason'],
      registers,
    });
    this.paused = new Counter({
      name: 'agentq_provider_paused_seconds_total',
      help: 'Time providers were paused after a 429 (or 529/503 with Retry-After); each pause counted once, by the worker that set or extended it',
      labelNames: ['provider_id'],
      registers,
    });
  }

  attemptDeferred(reason: DeferralReason): void {
    this.deferred.inc({ reason });
  }

  providerPaused(providerId: string, addedMs: number): void {
    if (addedMs > 0) this.paused.inc({ provider_id: providerId }, addedMs / 1000);
  }
}
