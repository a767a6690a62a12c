import { JobsOptions } from 'bullmq';

export const RUN_EXECUTION_JOB = 'run-execution';

/**
 * The payload carries ids only: the execution row in PostgreSQL owns input, status and
 * output, so no prompt and no secret ever sits in Redis.
 */
export interface ExecutionJobData {
  executionId: string;
  tenantId: string;
  /**
   * Lets a worker park the job of an agent it knows to be at its maxConcurrency before
   * claiming it (absent from jobs enqueued before dispatch limits existed).
   */
  agentId?: string;
  /** W3C trace context of the enqueue, when the submission was traced (OpenTelemetry). */
  traceparent?: string;
}

export type ExecutionJobOutcome =
  | 'succeeded'
  | 'failed'
  | 'cancelled'
  | 'already-terminal'
  /** Paused for client tool outputs: the job is done, a new one resumes the execution. */
  | 'requires_action';

export interface ExecutionJobResult {
  outcome: ExecutionJobOutcome;
}

/** Our custom backoff strategy's name; the worker registers it (see retry-policy.ts). */
export const EXECUTION_BACKOFF = 'agentq-jittered-exponential';

/** API priority 1 (lowest) .. 10 (most urgent) onto BullMQ's 1 (first) .. 10 scale. */
export function toBullPriority(apiPriority: number): number {
  return 11 - apiPriority;
}

export interface ExecutionJobSpec {
  executionId: string;
  tenantId: string;
  agentId?: string;
  priority: number;
  delayMs: number;
  maxAttempts: number;
  traceparent?: string;
  /** The BullMQ priority the fair queue assigned (assignFairPriorities); else API priority alone. */
  queuePriority?: number;
}

/** The one place a job's id, priority, delay, retry and retention are set. */
export function executionJobOptions(spec: ExecutionJobSpec): JobsOptions {
  return {
    jobId: spec.executionId,
    priority: spec.queuePriority ?? toBullPriority(spec.priority),
    delay: spec.delayMs > 0 ? spec.delayMs : undefined,
    attempts: spec.maxAttempts,
    backoff: { type: EXECUTION_BACKOFF, delay: 1_000 },
    // PostgreSQL keeps the history; Redis keeps only recent jobs for Bull Board.
    removeOnComplete: { age: 3_600, count: 10_000 },
    removeOnFail: { age: 24 * 3_600, count: 10_000 },
  };
}

export function executionJob(spec: ExecutionJobSpec): {
  name: typeof RUN_EXECUTION_JOB;
  data: ExecutionJobData;
  opts: JobsOptions;
} {
  return {
    name: RUN_EXECUTION_JOB,
    data: {
      executionId: spec.executionId,
      tenantId: spec.tenantId,
      ...(spec.agentId ? { agentId: spec.agentId } : {}),
      ...(spec.traceparent ? { traceparent: spec.traceparent } : {}),
    } satisfies ExecutionJobData,
    opts: executionJobOptions(spec),
  };
}
