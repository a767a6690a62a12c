import { ExecutionError, LlmConfig, ModelPricing, PassedOverModel } from '@agentq/database';
import { LlmError, LlmResult } from '@agentq/llm';
import { computeCostUsd, sumSpend } from '@agentq/usage';
import { DispatchDeferral } from '../dispatch/dispatch-deferral';

/** A 429 or provider pause longer than this moves to the next entry, unless llmConfig says. */
export const DEFAULT_FALLBACK_AFTER_MS = 10_000;

/** One entry of an execution's model chain: the agent's provider and model, then its fallbacks. */
export interface ChainEntry {
  providerId: string;
  model: string;
}

/** Which chain entry answered a model call, and what was passed over before it. */
export interface ModelRoute {
  providerId: string;
  /** The answering provider's price overrides: the call is priced by them and its model. */
  pricing: ModelPricing | null;
  fallbackFrom: PassedOverModel[];
}

export type RoutedResult = LlmResult & { route: ModelRoute };

/**
 * The cost of the calls one answer took (a structured-output repair makes two), each priced by
 * the model and provider that answered it: with fallbacks they may differ. `unpriced` names the
 * models without a known price (counted as 0).
 */
export function priceRoutedCalls(calls: readonly RoutedResult[]): {
  costUsd: string;
  unpriced: string[];
} {
  const unpriced: string[] = [];
  const spends = calls.map((call) => {
    const usage = { promptTokens: call.promptTokens, completionTokens: call.completionTokens };
    const pricing = computeCostUsd(usage, call.model, call.route.pricing ?? undefined);
    if (!pricing.priced) unpriced.push(call.model);
    return { ...usage, costUsd: pricing.costUsd };
  });
  return { costUsd: sumSpend(spends).costUsd, unpriced };
}

/** The entries to try for each model call, in order. */
export function chainEntries(llmConfig: LlmConfig, providerId: string): ChainEntry[] {
  return [{ providerId, model: llmConfig.model }, ...(llmConfig.fallbacks ?? [])];
}

export function fallbackAfterMs(llmConfig: LlmConfig): number {
  return llmConfig.fallbackAfterMs ?? DEFAULT_FALLBACK_AFTER_MS;
}

/**
 * What a failed call of one chain entry leads to. `next`: try the next entry (with `cooldown`,
 * every worker skips this provider for a while). `throw`: the attempt fails as it would without
 * a chain (retry or fail). Never falls back from the last entry, from a cancel, shutdown or the
 * attempt's own timeout (the attempt's signal is aborted), or from a permanent error (400, 401,
 * content policy, a request the provider refuses): another model would be refused as well, or
 * the caller has to fix something.
 */
export function fallbackDecision(
  thrown: unknown,
  attemptSignal: AbortSignal,
  options: { isLastEntry: boolean; fallbackAfterMs: number },
): { kind: 'next'; cooldown: boolean; error: ExecutionError } | { kind: 'throw' } {
  if (options.isLastEntry || attemptSignal.aborted) return { kind: 'throw' };
  // A pause or rate-limit turn already shared by every worker: no cooldown of our own.
  if (thrown instanceof DispatchDeferral) {
    return thrown.delayMs > options.fallbackAfterMs
      ? {
          kind: 'next',
          cooldown: false,
          error: { code: `provider_${thrown.reason}`, message: thrown.message },
        }
      : { kind: 'throw' };
  }
  if (!(thrown instanceof LlmError)) return { kind: 'throw' };
  const failure = { code: thrown.code, message: thrown.message };
  switch (thrown.kind) {
    case 'transient':
    case 'timeout':
      return { kind: 'next', cooldown: true, error: failure };
    case 'rate_limited':
      // The paced adapter has paused the provider; it gives the 429 up only past fallbackAfterMs.
      return { kind: 'next', cooldown: false, error: failure };
    default:
      return { kind: 'throw' };
  }
}

/** Whether a known pause of this entry's provider is long enough to pass it over. */
export function passesOver(
  pauseLeftMs: number | null,
  options: { isLastEntry: boolean; fallbackAfterMs: number },
): boolean {
  return !options.isLastEntry && pauseLeftMs !== null && pauseLeftMs > options.fallbackAfterMs;
}

/**
 * Whether the admission's wait for the agent's own provider stands: an agent with fallbacks
 * does not wait longer than fallbackAfterMs for it; its chain passes the provider over instead.
 */
export function admissionWaitStands(wait: DispatchDeferral, llmConfig: LlmConfig): boolean {
  if (!llmConfig.fallbacks?.length) return true;
  return !(wait.reason !== 'concurrency' && wait.delayMs > fallbackAfterMs(llmConfig));
}

/** The chain entry passed over because its provider is cooling down (or paused). */
export function cooledDown(entry: ChainEntry, pauseLeftMs: number): PassedOverModel {
  return {
    ...entry,
    error: {
      code: 'provider_cooling_down',
      message: `skipped: the provider is paused for another ${Math.ceil(pauseLeftMs / 1000)} s`,
    },
  };
}

/** The attempt's signal, and also a per-call deadline when llmConfig.callTimeoutMs is set. */
export function callSignal(attemptSignal: AbortSignal, callTimeoutMs?: number): AbortSignal {
  return callTimeoutMs === undefined
    ? attemptSignal
    : AbortSignal.any([attemptSignal, AbortSignal.timeout(callTimeoutMs)]);
}

/** What an execution's output says of the chain entry that answered. */
export function routeOutput(providerId: string, fallbackFrom: PassedOverModel[]) {
  return fallbackFrom.length > 0 ? { providerId, fallbackFrom } : { providerId };
}
