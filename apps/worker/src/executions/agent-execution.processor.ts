import {
  BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
} from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@agentq/config';
import { isDatabaseUnavailable } from '@agentq/executions';
import { executionBackoff, ExecutionJobData, ExecutionJobResult, QUEUES } from '@agentq/jobs';
import { formatDuration } from '@agentq/logging';
import { QueueWorkers } from '@agentq/redis';
import { contextOf, inSpan, SpanKind } from '@agentq/telemetry';
import { randomUUID } from 'node:crypto';
import { DelayedError, Job, UnrecoverableError, WaitingError, Worker } from 'bullmq';
import { DeferralReason } from '../dispatch/dispatch-deferral';
import { DispatchGate } from '../dispatch/dispatch-gate.service';
import { CancellationRegistry } from './cancellation-registry.service';
import { ExecutionRunner } from './execution-runner.service';
import { WorkerShutdownInterruption } from './worker-shutdown';

// While PostgreSQL is unreachable, a job waits this long between tries, using no attempt.
const DATABASE_UNAVAILABLE_DELAY_MS = 2_000;

/** BullMQ glue: translates an attempt's result into complete, retry or fail-now. */
@Injectable()
export class AgentExecutionProcessor implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(AgentExecutionProcessor.name);
  private worker: Worker<ExecutionJobData, ExecutionJobResult> | null = null;

  constructor(
    private readonly runner: ExecutionRunner,
    private readonly cancellations: CancellationRegistry,
    private readonly workers: QueueWorkers,
    private readonly dispatch: DispatchGate,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap() {
    const { concurrency, lockDurationMs, stalledIntervalMs } = this.config.worker;
    this.worker = this.workers.start(
      QUEUES.executions,
      (job: Job<ExecutionJobData, ExecutionJobResult>, token?: string) => this.process(job, token),
      {
        concurrency,
        lockDuration: lockDurationMs,
        stalledInterval: stalledIntervalMs,
        settings: { backoffStrategy: executionBackoff },
      },
    );
  }

  /**
   * Stop taking jobs and let active ones finish while the database and Redis are still open.
   * Provider calls still running when the grace period ends are interrupted and their jobs
   * handed back to the queue, so the worker still stops cleanly and nothing waits for a stall.
   */
  async beforeApplicationShutdown() {
    const graceMs = this.config.worker.shutdownGraceMs;
    const deadline = setTimeout(() => {
      const interrupted = this.cancellations.interruptAll(new WorkerShutdownInterruption());
      this.logger.warn(
        `shutdown grace period (${formatDuration(graceMs)}) over: handing ${interrupted} running execution(s) back to the queue`,
      );
    }, graceMs);
    try {
      await this.worker?.close();
    } finally {
      clearTimeout(deadline);
    }
  }

  process(
    job: Job<ExecutionJobData, ExecutionJobResult>,
    token?: string,
  ): Promise<ExecutionJobResult> {
    // Continues the trace of the enqueue (one trace per execution, across processes).
    return inSpan(
      `process ${QUEUES.executions}`,
      {
        kind: SpanKind.CONSUMER,
        parent: contextOf(job.data.traceparent),
        attributes: {
          'messaging.system': 'bullmq',
          'messaging.operation.type': 'process',
          'messaging.destination.name': QUEUES.executions,
          'messaging.message.id': job.data.executionId,
          'agentq.execution.id': job.data.executionId,
          'agentq.tenant.id': job.data.tenantId,
          'agentq.execution.attempt': job.attemptsMade + 1,
        },
      },
      async () => {
        // The attempt's identity: its concurrency slot is its own, not the execution's.
        const attempt = token ?? randomUUID();
        try {
          return await this.processAttempt(job, token, attempt);
        } finally {
          await this.dispatch.finished(job.data.executionId, attempt);
        }
      },
    );
  }

  private async processAttempt(
    job: Job<ExecutionJobData, ExecutionJobResult>,
    token: string | undefined,
    attempt: string,
  ): Promise<ExecutionJobResult> {
    const { executionId, tenantId } = job.data;
    const isLastAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    let result;
    try {
      const parked = await this.dispatch.beforeClaim(job.data, job.opts.priority, attempt);
      if (parked) return await this.defer(job, token, attempt, parked);
      result = await this.runner.run(executionId, tenantId, { isLastAttempt, attempt });
    } catch (error) {
      if (!isDatabaseUnavailable(error)) throw error;
      // The attempt says nothing about the execution: wait for PostgreSQL without using one.
      this.logger.warn(
        `execution ${executionId}: database unavailable (${(error as Error).message}); ` +
          `trying again in ${formatDuration(DATABASE_UNAVAILABLE_DELAY_MS)} without using an attempt`,
      );
      await job.moveToDelayed(Date.now() + DATABASE_UNAVAILABLE_DELAY_MS, token);
      throw new DelayedError();
    }
    switch (result.kind) {
      case 'interrupted':
        await job.moveToWait(token);
        throw new WaitingError();
      case 'deferred':
        return this.defer(job, token, attempt, result);
      case 'done':
        return { outcome: result.outcome };
      case 'retry':
        throw result.error;
      case 'failed':
        throw new UnrecoverableError(`${result.code}: ${result.message}`);
    }
  }

  // Not its turn yet: the job sleeps in the delayed set, using no attempt.
  private async defer(
    job: Job<ExecutionJobData, ExecutionJobResult>,
    token: string | undefined,
    attempt: string,
    deferral: { reason: DeferralReason; delayMs: number },
  ): Promise<never> {
    await job.moveToDelayed(Date.now() + deferral.delayMs, token);
    await this.dispatch.deferred(attempt, deferral.reason);
    throw new DelayedError();
  }
}
