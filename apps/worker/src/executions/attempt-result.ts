import { ExecutionJobOutcome } from '@agentq/jobs';

/** How one attempt ended, as the processor must report it to BullMQ. */
export type AttemptResult =
  | { kind: 'done'; outcome: ExecutionJobOutcome }
  | { kind: 'retry'; error: Error & { retryAfterMs?: number } }
  | { kind: 'failed'; code: string; message: string }
  /** Stopped by a worker shutdown before any outcome: run it again, no attempt used. */
  | { kind: 'interrupted' };
