import { ExecutionJobOutcome } from '@agentq/jobs';
import { DeferralReason } from '../dispatch/dispatch-deferral';

/** How one attempt ended, as the processor must report it to BullMQ. */
export type AttemptResult =
  | { kind: 'done'; outcome: ExecutionJobOutcome }
  | { kind: 'retry'; error: Error & { retryAfterMs?: number } }
  | { kind: 'failed'; code: string; message: string }
  /** Stopped by a worker shutdown or a lost concurrency slot before any outcome: run it again. */
  | { kind: 'interrupted' }
  /** Waits for a concurrency slot, a rate-limit turn or a provider pause: no attempt used. */
  | { kind: 'deferred'; reason: DeferralReason; delayMs: number };
