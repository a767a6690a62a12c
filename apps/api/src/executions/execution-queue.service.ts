import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger } from '@nestjs/common';
import {
  ExecutionJobData,
  ExecutionJobResult,
  executionJob,
  ExecutionJobSpec,
  QUEUES,
} from '@agentq/jobs';
import { Queue } from 'bullmq';
import { ServiceUnavailableError } from '../common/api-errors';

const REDIS_COMMAND_TIMEOUT_MS = 2_000;

function withTimeout<T>(work: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out`)), REDIS_COMMAND_TIMEOUT_MS);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/** The API's side of the executions queue. Redis trouble is a fast 503, never a hang. */
@Injectable()
export class ExecutionQueue {
  private readonly logger = new Logger(ExecutionQueue.name);

  constructor(
    @InjectQueue(QUEUES.executions)
    private readonly queue: Queue<ExecutionJobData, ExecutionJobResult>,
  ) {}

  async assertAvailable(): Promise<void> {
    const client = await withTimeout(this.queue.getBackend().client, 'connect').catch(() => null);
    if (client?.status !== 'ready') {
      throw new ServiceUnavailableError('the job queue (Redis) is unavailable');
    }
  }

  async enqueue(specs: ExecutionJobSpec[]): Promise<void> {
    try {
      await withTimeout(this.queue.addBulk(specs.map(executionJob)), 'enqueue');
    } catch (error) {
      this.logger.error(
        `could not enqueue ${specs.length} execution(s): ${(error as Error).message}`,
      );
      throw new ServiceUnavailableError('the job queue (Redis) is unavailable');
    }
  }

  /** Removes a waiting or delayed job; an active one is locked and stays (the worker aborts it). */
  async removeIfNotActive(executionId: string): Promise<boolean> {
    try {
      return (await withTimeout(this.queue.remove(executionId), 'remove')) === 1;
    } catch (error) {
      this.logger.warn(
        `execution ${executionId}: could not remove its job: ${(error as Error).message}`,
      );
      return false;
    }
  }
}
