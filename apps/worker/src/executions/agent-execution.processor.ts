import { Processor, WorkerHost } from '@nestjs/bullmq';
import { BeforeApplicationShutdown, Inject, OnApplicationBootstrap } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@agentq/config';
import {
  ExecutionJobData,
  ExecutionJobResult,
  jitteredExponentialDelay,
  QUEUES,
} from '@agentq/jobs';
import { Job, UnrecoverableError } from 'bullmq';
import { ExecutionRunner } from './execution-runner.service';

const MAX_RETRY_AFTER_MS = 10 * 60_000;

/** Retry-After from the provider wins (up to 10 minutes); otherwise exponential backoff with jitter. */
export function executionBackoff(attemptsMade: number, _type?: string, error?: Error): number {
  const retryAfterMs = (error as { retryAfterMs?: number } | undefined)?.retryAfterMs;
  if (retryAfterMs === undefined) return jitteredExponentialDelay(attemptsMade);
  return Math.min(Math.max(0, retryAfterMs), MAX_RETRY_AFTER_MS);
}

/** BullMQ glue: translates an attempt's result into complete, retry or fail-now. */
@Processor(QUEUES.executions, { settings: { backoffStrategy: executionBackoff } })
export class AgentExecutionProcessor
  extends WorkerHost
  implements OnApplicationBootstrap, BeforeApplicationShutdown
{
  constructor(
    private readonly runner: ExecutionRunner,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    super();
  }

  onApplicationBootstrap() {
    this.worker.concurrency = this.config.worker.concurrency;
  }

  /** Stop taking jobs and let active ones finish while the database and Redis are still open. */
  async beforeApplicationShutdown() {
    await this.worker.close();
  }

  async process(job: Job<ExecutionJobData, ExecutionJobResult>): Promise<ExecutionJobResult> {
    const isLastAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    const result = await this.runner.run(job.data.executionId, { isLastAttempt });
    switch (result.kind) {
      case 'done':
        return { outcome: result.outcome };
      case 'retry':
        throw result.error;
      case 'failed':
        throw new UnrecoverableError(`${result.code}: ${result.message}`);
    }
  }
}
