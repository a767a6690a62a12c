export type LlmAbortKind = 'timeout' | 'cancelled';

/**
 * Pass to `AbortController.abort(reason)` so the adapters can tell the caller's deadline from a
 * cancel request: `classifyProviderError` reads it back from `signal.reason`.
 */
export class LlmAbortReason extends Error {
  constructor(readonly kind: LlmAbortKind) {
    super(kind === 'timeout' ? 'the provider call timed out' : 'the provider call was cancelled');
    this.name = 'LlmAbortReason';
  }
}
