import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger } from '@nestjs/common';
import {
  assignFairPriorities,
  executionJob,
  ExecutionJobSpec,
  JobQueue,
  QUEUES,
  RUN_EXECUTION_JOB,
} from '@agentq/jobs';
import { recordFailure, SpanKind, startSpanUnder } from '@agentq/telemetry';
import { Job } from 'bullmq';
import { LifecycleAnnouncer } from '../streams/lifecycle-announcer.service';
import { withTimeout } from '../support/with-timeout';

/** A job to add for an execution row that is committed `queued`. */
export interface QueuedExecution extends ExecutionJobSpec {
  agentId: string;
  /** Announce it with a `queued` event (false when re-adding the job of a known execution). */
  isNew: boolean;
}

/** The queue could not take the jobs (Redis down or too slow); nothing was enqueued for sure. */
export class QueueUnavailableError extends Error {
  constructor(cause: unknown) {
    super(`the job queue (Redis) is unavailable: ${(cause as Error).message}`, { cause });
    this.name = QueueUnavailableError.name;
  }
}

// Generous enough for an addBulk of 1,000 jobs on a busy host; a Redis that is down is caught
// before this by assertConnected, without waiting.
const ENQUEUE_TIMEOUT_MS = 5_000;
const CONNECT_TIMEOUT_MS = 2_000;

/**
 * The one way executions reach the queue (submissions, handoffs, the reconciler): one
 * `addBulk` (job id = execution id, so adding twice is a no-op), bounded in time, then the
 * `queued` events.
 */
@Injectable()
export class ExecutionProducer {
  private readonly logger = new Logger(ExecutionProducer.name);

  constructor(
    @InjectQueue(QUEUES.executions)
    private readonly queue: JobQueue<typeof RUN_EXECUTION_JOB>,
    private readonly announcer: LifecycleAnnouncer,
  ) {}

  /** Fails fast, without a round trip, when the queue's connection is not ready. */
  async assertConnected(): Promise<void> {
    let status: string;
    try {
      status = (await withTimeout(this.queue.getBackend().client, CONNECT_TIMEOUT_MS, 'connect'))
        .status;
    } catch (error) {
      throw new QueueUnavailableError(error);
    }
    if (status !== 'ready') throw new QueueUnavailableError(new Error(`connection ${status}`));
  }

  async enqueue(executions: readonly QueuedExecution[]): Promise<void> {
    if (executions.length === 0) return;
    // A producer span per traced execution, in its submitter's trace; the job carries it on.
    const spans = executions.map((execution) =>
      startSpanUnder(execution.traceparent, `enqueue ${QUEUES.executions}`, {
        kind: SpanKind.PRODUCER,
        attributes: {
          'messaging.system': 'bullmq',
          'messaging.operation.type': 'send',
          'messaging.destination.name': QUEUES.executions,
          'messaging.message.id': execution.executionId,
          'agentq.execution.id': execution.executionId,
          'agentq.tenant.id': execution.tenantId,
        },
      }),
    );
    try {
      await withTimeout(
        this.addFairly(
          executions,
          spans.map((traced) => traced?.traceparent),
        ),
        ENQUEUE_TIMEOUT_MS,
        'enqueue',
      );
    } catch (error) {
      for (const traced of spans) if (traced) recordFailure(traced.span, error);
      this.logger.error(
        `could not enqueue ${executions.length} execution(s): ${(error as Error).message}`,
      );
      throw new QueueUnavailableError(error);
    } finally {
      for (const traced of spans) traced?.span.end();
    }
    this.announcer.queued(
      executions
        .filter((execution) => execution.isNew)
        .map(({ executionId, tenantId, agentId }) => ({ id: executionId, tenantId, agentId })),
    );
  }

  // Each job's place in its tenant's line (one EVAL), then one `addBulk`.
  private async addFairly(
    executions: readonly QueuedExecution[],
    traceparents: readonly (string | undefined)[],
  ): Promise<void> {
    const priorities = await assignFairPriorities(
      this.queue,
      executions.map((execution) => ({
        jobId: execution.executionId,
        tenantId: execution.tenantId,
        priority: execution.priority,
        delayed: execution.delayMs > 0,
        repeat: !execution.isNew,
      })),
    );
    await this.queue.addBulk(
      executions.map((execution, i) =>
        executionJob({
          ...execution,
          traceparent: traceparents[i],
          queuePriority: priorities[i],
        }),
      ),
    );
  }

  /**
   * Moves a delayed job's start to `runAt` (a debounced execution took a later submission).
   * False when the job is not delayed (or not there): the worker's claim then checks the row's
   * run_at itself, and the reconciler re-adds a missing job.
   */
  async reschedule(executionId: string, runAt: Date): Promise<boolean> {
    try {
      const job = await withTimeout(
        Job.fromId(this.queue, executionId),
        ENQUEUE_TIMEOUT_MS,
        'reschedule',
      );
      if (!job) return false;
      await withTimeout(
        job.changeDelay(Math.max(0, runAt.getTime() - Date.now())),
        ENQUEUE_TIMEOUT_MS,
        'reschedule',
      );
      return true;
    } catch {
      return false;
    }
  }

  /** Removes a waiting or delayed job; an active one is locked and stays (the worker aborts it). */
  async removeIfNotActive(executionId: string): Promise<boolean> {
    try {
      return (
        (await withTimeout(this.queue.remove(executionId), ENQUEUE_TIMEOUT_MS, 'remove')) === 1
      );
    } catch (error) {
      this.logger.warn(
        `execution ${executionId}: could not remove its job: ${(error as Error).message}`,
      );
      return false;
    }
  }

  /**
   * Clears the way for a new job with the execution's id once its previous job has ended (a
   * resumed execution: the job that paused it completes a moment after the pause commits).
   * Gives up after `maxWaitMs`; the reconciler then re-adds the job of the `queued` row.
   */
  async removeEndedJob(executionId: string, maxWaitMs = 2_000): Promise<void> {
    const deadline = Date.now() + maxWaitMs;
    for (;;) {
      if (await this.removeIfNotActive(executionId)) return;
      const state = await this.queue.getJobState(executionId).catch(() => 'unknown');
      if (state !== 'active' || Date.now() > deadline) return;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  /** Jobs waiting to run (not delayed), read at most every `maxAgeMs`: the load-shedding gauge. */
  async waitingJobs(maxAgeMs: number): Promise<number> {
    const now = Date.now();
    if (now - this.waitingReadAt > maxAgeMs) {
      this.waitingReadAt = now;
      this.waiting = withTimeout(
        this.queue.getJobCounts('wait', 'prioritized'),
        ENQUEUE_TIMEOUT_MS,
        'queue depth',
      ).then(
        (counts) => (counts.wait ?? 0) + (counts.prioritized ?? 0),
        () => 0,
      );
    }
    return this.waiting;
  }

  private waitingReadAt = 0;
  private waiting: Promise<number> = Promise.resolve(0);
}
