import { Injectable } from '@nestjs/common';
import { ExecutionError, ExecutionOutput, RequiredAction } from '@agentq/database';
import { RecordedTransition } from '../store/terminal-outcome';
import { ExecutionEventPublisher } from './execution-event-publisher.service';
import { AttemptStream, ExecutionStream } from './execution-stream';
import { EventSubject, lifecycleEvent } from './lifecycle-events';

/** An attempt as its stream knows it: whether it is streamed, and which attempt it is. */
export interface StreamedAttempt extends EventSubject {
  stream: boolean;
  attempts: number;
}

/**
 * What the lib announces when it records a transition: the lifecycle event (Redis pub/sub) and
 * the entry that goes with it on the execution's output stream. Every transition of the
 * lifecycle goes through here, so the events are built in one place and a stream always ends
 * with its execution. Both are best effort: PostgreSQL stays the truth.
 */
@Injectable()
export class LifecycleAnnouncer {
  constructor(
    private readonly events: ExecutionEventPublisher,
    private readonly streams: ExecutionStream,
  ) {}

  queued(executions: readonly Omit<EventSubject, 'attempts'>[], at = new Date()): void {
    this.events.publish(
      executions.map((execution) => lifecycleEvent(execution, 'queued', 'queued', at)),
    );
  }

  /**
   * An admitted attempt starts: `started`, and its output stream. A tool loop carries on from
   * its committed steps, so nothing streamed before is withdrawn; any other retried attempt
   * first tells clients to drop the text they have.
   */
  started(execution: StreamedAttempt & { startedAt: Date }, carriesOn: boolean): AttemptStream {
    this.events.publish([lifecycleEvent(execution, 'started', 'running', execution.startedAt)]);
    return carriesOn ? this.streams.forAttempt(execution) : this.streams.begin(execution);
  }

  /** Back to `queued` for another attempt (a failed one, an abandoned one, or a late deferral). */
  retrying(execution: EventSubject, error: { code: string; message: string }): void {
    this.events.publish([lifecycleEvent(execution, 'retrying', 'queued', new Date(), error)]);
  }

  requiresAction(execution: StreamedAttempt, requiredAction: RequiredAction): void {
    this.streams.forAttempt(execution).requiresAction(requiredAction);
    this.events.publish([
      {
        ...lifecycleEvent(execution, 'requires_action', 'requires_action', new Date()),
        requiredAction,
      },
    ]);
  }

  /** A terminal transition won: the stream ends first, so a client that sees the event finds it complete. */
  ended(
    transition: RecordedTransition,
    output: ExecutionOutput | null,
    error: ExecutionError | null,
  ): void {
    const execution = subjectOf(transition);
    this.streams.forAttempt(execution).end(transition.status, output, error);
    this.events.publish([
      lifecycleEvent(
        execution,
        transition.status,
        transition.status,
        transition.completedAt,
        error ?? undefined,
      ),
    ]);
  }

  /** Cancelled: the event carries no attempt (it is not an attempt's outcome). */
  cancelled(transition: RecordedTransition): void {
    const execution = subjectOf(transition);
    this.streams.forAttempt(execution).end('cancelled', null, null);
    this.events.publish([
      lifecycleEvent({ ...execution, attempts: undefined }, 'cancelled', 'cancelled', new Date()),
    ]);
  }
}

function subjectOf(transition: RecordedTransition): StreamedAttempt {
  return {
    id: transition.executionId,
    tenantId: transition.tenantId,
    agentId: transition.agentId,
    attempts: transition.attempts,
    stream: transition.stream,
  };
}
