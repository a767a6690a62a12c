import { setTimeout as sleep } from 'node:timers/promises';
import { LlmProviderAdapter, LlmRequest, LlmResult } from '@agentq/llm';
import { DispatchDeferral } from './dispatch-deferral';
import { MAX_FREE_PAUSES_PER_EXECUTION, providerPauseMs } from './provider-pause-policy';
import type { PacedProvider } from './provider-pacing.service';
import { estimateCallTokens } from './token-estimate';

/** What the adapter needs of ProviderPacing. */
export interface CallPacing {
  takeAdmission(executionId: string): number | undefined;
  knownPause(providerId: string): DispatchDeferral | null;
  takeTurn(
    provider: PacedProvider,
    executionId: string,
    tokens: number,
  ): Promise<DispatchDeferral | null>;
  correctTokens(provider: PacedProvider, estimated: number, used: number): Promise<void>;
  pause(providerId: string, pauseMs: number): Promise<number>;
  countPause(executionId: string): Promise<number>;
}

/**
 * One attempt's view of a provider adapter: each model call waits for its rate-limit turn and
 * for the end of any provider pause, and a 429 (or 529/503 with Retry-After) pauses the provider
 * for every worker and is tried again without using an attempt. Before the attempt's first
 * call has succeeded, waiting is handed back to the queue: `complete` rejects with a
 * `DispatchDeferral` (besides the port's `LlmError`s). Once a call has answered, the attempt
 * has done real work, so later calls wait in place. With `fallbackAfterMs` (an entry of a
 * fallback chain that has another after it), a wait longer than that is not taken: the 429 or
 * the deferral is thrown for the chain to move on.
 */
export class PacedAdapter implements LlmProviderAdapter {
  private callsAnswered = 0;

  constructor(
    private readonly inner: LlmProviderAdapter,
    private readonly pacing: CallPacing,
    private readonly executionId: string,
    private readonly provider: PacedProvider,
    private readonly fallbackAfterMs?: number,
  ) {}

  async complete(request: LlmRequest): Promise<LlmResult> {
    for (;;) {
      let tokens =
        this.callsAnswered === 0 ? this.pacing.takeAdmission(this.executionId) : undefined;
      // Admitted a moment ago: a pause announced since (while the prompt was built) still holds.
      const paused = tokens === undefined ? null : this.pacing.knownPause(this.provider.id);
      if (paused) {
        await this.waitOrDefer(paused, request.signal);
        continue;
      }
      if (tokens === undefined) {
        tokens = estimateCallTokens(request, request.maxTokens);
        const wait = await this.pacing.takeTurn(this.provider, this.executionId, tokens);
        if (wait) {
          await this.waitOrDefer(wait, request.signal);
          continue;
        }
      }
      let result: LlmResult;
      try {
        result = await this.inner.complete(request);
      } catch (error) {
        const pauseMs = providerPauseMs(error);
        if (pauseMs === null) throw error;
        const remainingMs = await this.pacing.pause(this.provider.id, pauseMs);
        if (this.fallbackAfterMs !== undefined && remainingMs > this.fallbackAfterMs) throw error;
        const pauses = await this.pacing.countPause(this.executionId);
        if (pauses > MAX_FREE_PAUSES_PER_EXECUTION) throw error;
        await this.waitOrDefer(
          new DispatchDeferral('provider_paused', remainingMs),
          request.signal,
        );
        continue;
      }
      this.callsAnswered += 1;
      await this.pacing.correctTokens(
        this.provider,
        tokens,
        result.promptTokens + result.completionTokens,
      );
      return result;
    }
  }

  private async waitOrDefer(wait: DispatchDeferral, signal: AbortSignal): Promise<void> {
    if (this.callsAnswered === 0) throw wait;
    if (this.fallbackAfterMs !== undefined && wait.delayMs > this.fallbackAfterMs) throw wait;
    await sleep(wait.delayMs, undefined, { signal });
  }
}
