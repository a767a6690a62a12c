import { ExecutionError, ExecutionOutput } from '@agentq/database';

export type TerminalStatus = 'succeeded' | 'failed' | 'cancelled';

/** What an execution ended with; recorded at most once, by whoever wins the transition. */
export interface TerminalOutcome {
  executionId: string;
  /** The execution's tenant: the transaction is scoped to it (row-level security). */
  tenantId: string;
  status: TerminalStatus;
  output: ExecutionOutput | null;
  error: ExecutionError | null;
  model: string | null;
  promptTokens: number;
  completionTokens: number;
  /** Decimal string, 9 fractional digits. */
  costUsd: string;
  durationMs: number | null;
  /**
   * False when the claim read the row and it asks for no follow-up: then only a handoff in the
   * output can set one off, and the finisher need not read the row again. Absent: unknown.
   */
  hasFollowUpFlags?: boolean;
}

/** A transition that won: the row's identity as it now stands. */
export interface RecordedTransition {
  executionId: string;
  tenantId: string;
  agentId: string;
  status: TerminalStatus;
  sessionId: string | null;
  /** The attempts the row counts: the attempt whose output stream the transition ends. */
  attempts: number;
  /** Whether the execution streams its output (its stream then gets the terminal entry). */
  stream: boolean;
  /** When the transition was committed, as the row records it. */
  completedAt: Date;
  /** Set when PostgreSQL refused the outcome as given and this one was recorded instead. */
  recordedInstead?: TerminalOutcome;
}

export function cancelledOutcome(executionId: string, tenantId: string): TerminalOutcome {
  return {
    executionId,
    tenantId,
    status: 'cancelled',
    output: null,
    error: { code: 'cancelled', message: 'cancelled by request' },
    model: null,
    promptTokens: 0,
    completionTokens: 0,
    costUsd: '0',
    durationMs: null,
  };
}
