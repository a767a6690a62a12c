import { CredentialDecryptionError } from '@agentq/crypto';
import { ExecutionError } from '@agentq/database';
import { classifyProviderError, LlmError } from '@agentq/llm';
import { ConcurrencySlotLost } from '../dispatch/concurrency-slot-lost';
import { DispatchDeferral } from '../dispatch/dispatch-deferral';
import { BudgetExceededError } from './spend-guard.service';
import { WorkerShutdownInterruption } from './worker-shutdown';

/** What the runner does with an attempt whose provider call (or tool loop) threw. */
export type AttemptFailure =
  /** Not this attempt's turn after all (the paced adapter said wait): no attempt used. */
  | { kind: 'deferred'; deferral: DispatchDeferral }
  /** The worker is stopping: hand the execution back to the queue, no attempt used. */
  | { kind: 'interrupted' }
  /** Its concurrency slot lease was lost: the call is abandoned, the execution handed back. */
  | { kind: 'slot-lost' }
  /** Cancelled through the API, which already recorded it. */
  | { kind: 'cancelled' }
  /** May succeed later: back to `queued` for BullMQ's next attempt (error keeps retryAfterMs). */
  | { kind: 'retry'; error: LlmError; failure: ExecutionError & { retryable: true } }
  /** Permanent, or the last attempt: record the execution `failed`. */
  | { kind: 'fail'; failure: ExecutionError };

/**
 * Decides from what was thrown and why the call's signal was aborted, without I/O: deferrals,
 * spent budgets, shutdowns and lost slots first, then the provider error's kind (`classifyProviderError`) and whether attempts
 * remain. Rate limits, timeouts and transient errors retry until the last attempt.
 */
export function classifyAttemptFailure(
  thrown: unknown,
  signal: AbortSignal,
  isLastAttempt: boolean,
): AttemptFailure {
  if (thrown instanceof DispatchDeferral) return { kind: 'deferred', deferral: thrown };
  if (thrown instanceof BudgetExceededError) return { kind: 'fail', failure: thrown.problem };
  if (signal.reason instanceof WorkerShutdownInterruption) return { kind: 'interrupted' };
  if (signal.reason instanceof ConcurrencySlotLost) return { kind: 'slot-lost' };
  const error = classifyProviderError(thrown, signal);
  if (error.kind === 'aborted') return { kind: 'cancelled' };
  const failure: ExecutionError = { code: error.code, message: error.message };
  if (error.kind !== 'permanent' && !isLastAttempt) {
    return { kind: 'retry', error, failure: { ...failure, retryable: true } };
  }
  return { kind: 'fail', failure };
}

/**
 * Why no adapter could be built for the execution's provider, as the execution's error; null
 * when the error is none of ours (the attempt then throws and BullMQ retries it).
 */
export function adapterFailure(error: unknown): ExecutionError | null {
  if (error instanceof CredentialDecryptionError) {
    return { code: 'provider_credentials_unreadable', message: error.message };
  }
  if (error instanceof LlmError) return { code: error.code, message: error.message };
  return null;
}

/** What stops an execution before any provider call: the run fails at once, using no tokens. */
export function configurationProblem(execution: {
  provider: { isActive: boolean };
  agent: { status: string; llmConfig: { model?: unknown } | null };
}): ExecutionError | null {
  if (!execution.provider.isActive) {
    return { code: 'provider_inactive', message: 'the agent’s provider is not active' };
  }
  if (execution.agent.status !== 'active') {
    return { code: 'agent_not_active', message: `the agent is ${execution.agent.status}` };
  }
  if (typeof execution.agent.llmConfig?.model !== 'string') {
    return { code: 'invalid_agent_config', message: 'llmConfig.model is missing' };
  }
  return null;
}
