import { Injectable, Logger } from '@nestjs/common';
import { ExecutionError, ExecutionOutput } from '@agentq/database';
import { RedisClient, RedisConnections } from '@agentq/redis';

/** How long a stream stays readable after its last event (the terminal one, once it ends). */
export const EXECUTION_STREAM_TTL_SECONDS = 3_600;
/** Entries kept per stream (approximate trim); deltas are coalesced, so this is ~80 min of text. */
export const EXECUTION_STREAM_MAX_ENTRIES = 100_000;
// Deltas arriving within this window go out as one entry: one Redis write, not one per token.
const DELTA_COALESCE_MS = 50;

export type ExecutionStreamTerminal = 'succeeded' | 'failed' | 'cancelled';

/**
 * One entry of an execution's stream, as GET /v1/executions/:id/stream sends it (`event:` is
 * the type). Every event names the attempt it belongs to; a `reset` tells the client to drop
 * the text it has: a retried attempt, or a repair of structured output, starts over.
 */
export type ExecutionStreamEvent =
  | { type: 'delta'; attempt: number; text: string }
  | { type: 'reset'; attempt: number; reason: 'retry' | 'repair' }
  | { type: 'step'; attempt: number; step: unknown }
  | { type: 'requires_action'; attempt: number; requiredAction: unknown }
  | {
      type: ExecutionStreamTerminal;
      attempt: number;
      output: ExecutionOutput | null;
      error: ExecutionError | null;
    };

export const EXECUTION_STREAM_TERMINAL_TYPES: readonly ExecutionStreamEvent['type'][] = [
  'succeeded',
  'failed',
  'cancelled',
];

/** The field of each Redis stream entry that holds the event as JSON. */
export const EXECUTION_STREAM_FIELD = 'event';

/**
 * The Redis stream of one execution: `<queue key prefix>:stream:<id>`, where on a Redis Cluster
 * the prefix's hash tag takes in the execution id, so streams spread over the slots.
 */
export function executionStreamKey(
  connections: Pick<RedisConnections, 'queuePrefix'>,
  executionId: string,
): string {
  const name = `stream:${executionId}`;
  return `${connections.queuePrefix(name)}:${name}`;
}

/** What one attempt of an execution publishes to its stream; does nothing when it is not streamed. */
export interface AttemptStream {
  /** For `LlmRequest.onDelta`: undefined when not streamed, so the provider is not streamed either. */
  readonly onDelta?: (text: string) => void;
  /** Drop the text sent so far (a structured-output repair follows). */
  reset(reason: 'retry' | 'repair'): void;
  step(step: unknown): void;
  requiresAction(requiredAction: unknown): void;
  end(
    status: ExecutionStreamTerminal,
    output: ExecutionOutput | null,
    error: ExecutionError | null,
  ): void;
}

const NOT_STREAMED: AttemptStream = {
  reset: () => undefined,
  step: () => undefined,
  requiresAction: () => undefined,
  end: () => undefined,
};

interface PendingDelta {
  attempt: number;
  text: string;
  timer: NodeJS.Timeout;
}

/**
 * Appends execution events to a Redis stream per execution (XADD with a bounded length, the
 * TTL refreshed on each write), which GET /v1/executions/:id/stream replays and follows. Best
 * effort like the lifecycle events: PostgreSQL keeps the output. Writes go out on one
 * connection in call order, so a terminal event always follows the deltas before it.
 */
@Injectable()
export class ExecutionStream {
  private readonly logger = new Logger(ExecutionStream.name);
  private readonly redis: RedisClient;
  private readonly pendingDeltas = new Map<string, PendingDelta>();

  constructor(private readonly connections: RedisConnections) {
    this.redis = connections.commands;
  }

  /** The attempt's stream; a retry (attempt > 1) starts with a `reset`. */
  forAttempt(execution: { id: string; stream: boolean; attempts: number }): AttemptStream {
    if (!execution.stream) return NOT_STREAMED;
    const { id, attempts: attempt } = execution;
    return {
      onDelta: (text) => this.append(id, { type: 'delta', attempt, text }),
      reset: (reason) => this.append(id, { type: 'reset', attempt, reason }),
      step: (step) => this.append(id, { type: 'step', attempt, step }),
      requiresAction: (requiredAction) =>
        this.append(id, { type: 'requires_action', attempt, requiredAction }),
      end: (status, output, error) => this.append(id, { type: status, attempt, output, error }),
    };
  }

  /** Starts an attempt's stream: a retried attempt first tells clients to drop what they have. */
  begin(execution: { id: string; stream: boolean; attempts: number }): AttemptStream {
    const stream = this.forAttempt(execution);
    if (execution.attempts > 1) stream.reset('retry');
    return stream;
  }

  append(executionId: string, event: ExecutionStreamEvent): void {
    if (event.type === 'delta') return this.bufferDelta(executionId, event);
    this.flushDelta(executionId);
    this.write(executionId, event);
  }

  private bufferDelta(executionId: string, event: { attempt: number; text: string }): void {
    const pending = this.pendingDeltas.get(executionId);
    if (pending?.attempt === event.attempt) {
      pending.text += event.text;
      return;
    }
    this.flushDelta(executionId);
    const timer = setTimeout(() => this.flushDelta(executionId), DELTA_COALESCE_MS);
    this.pendingDeltas.set(executionId, { attempt: event.attempt, text: event.text, timer });
  }

  private flushDelta(executionId: string): void {
    const pending = this.pendingDeltas.get(executionId);
    if (!pending) return;
    clearTimeout(pending.timer);
    this.pendingDeltas.delete(executionId);
    this.write(executionId, { type: 'delta', attempt: pending.attempt, text: pending.text });
  }

  private write(executionId: string, event: ExecutionStreamEvent): void {
    const key = executionStreamKey(this.connections, executionId);
    this.redis
      .pipeline()
      .xadd(
        key,
        'MAXLEN',
        '~',
        EXECUTION_STREAM_MAX_ENTRIES,
        '*',
        EXECUTION_STREAM_FIELD,
        JSON.stringify(event),
      )
      .expire(key, EXECUTION_STREAM_TTL_SECONDS)
      .exec()
      .then((results) => {
        const failed = results?.find(([error]) => error)?.[0];
        if (failed) throw failed;
      })
      .catch((error: Error) =>
        this.logger.warn(
          `execution ${executionId}: could not append ${event.type} to its stream: ${error.message}`,
        ),
      );
  }
}
