import { Injectable, Logger } from '@nestjs/common';
import { JobsOptions, Processor, Queue, Worker, WorkerOptions } from 'bullmq';
import { RedisConnections } from './redis-connections';

/** What a hosted worker decides for itself; the connection and the queue's key prefix are not. */
export type HostedWorkerOptions = Omit<WorkerOptions, 'connection' | 'prefix'>;

const ERROR_REPEAT_INTERVAL_MS = 60_000;

/** The one repeatable job of a queue that runs one at a time in the whole deployment. */
export interface SingletonJob<Data> {
  schedulerId: string;
  everyMs: number;
  name: string;
  data: Data;
  opts: JobsOptions;
}

/**
 * The one way a process runs a BullMQ worker: on the process's queue connection and prefix,
 * with its errors logged once per distinct message a minute (a Redis outage repeats the same
 * error on every reconnect). The caller closes the worker, since it knows how long its jobs
 * may take to finish.
 */
@Injectable()
export class QueueWorkers {
  constructor(private readonly redis: RedisConnections) {}

  start<Data, Result>(
    queue: string,
    processor: Processor<Data, Result>,
    options: HostedWorkerOptions,
  ): Worker<Data, Result> {
    const worker = new Worker<Data, Result>(queue, processor, {
      ...options,
      connection: this.redis.queues,
      prefix: this.redis.queuePrefix(queue),
    });
    const logger = new Logger(`${queue} worker`);
    let last = { message: '', at: 0 };
    worker.on('error', (error: Error) => {
      const now = Date.now();
      if (error.message === last.message && now - last.at < ERROR_REPEAT_INTERVAL_MS) return;
      last = { message: error.message, at: now };
      logger.warn(error.message);
    });
    return worker;
  }

  /**
   * Runs `job` every `everyMs`, one run at a time in the whole deployment: every process writes
   * the one job scheduler (at start and after each Redis reconnect, so a Redis that lost its
   * data gets it back), the queue's global concurrency is 1, and this worker takes one job at
   * a time. Not awaited: a process starts while Redis is down.
   */
  startSingleton<Data, Result>(
    queue: Queue<Data, Result, string, Data, Result, string>,
    job: SingletonJob<Data>,
    processor: Processor<Data, Result>,
    options: Omit<HostedWorkerOptions, 'concurrency'>,
  ): Worker<Data, Result> {
    const logger = new Logger(`${queue.name} worker`);
    const schedule = async () => {
      try {
        await queue.setGlobalConcurrency(1);
        // BullMQ keeps a scheduler's phase (its offset) when `every` changes, so a schedule
        // made with a long interval would hold a short one back by up to that interval: a
        // changed interval starts a new schedule instead.
        const current = await queue.getJobScheduler(job.schedulerId);
        if (current && current.every !== job.everyMs) {
          await queue.removeJobScheduler(job.schedulerId);
        }
        await queue.upsertJobScheduler(
          job.schedulerId,
          { every: job.everyMs },
          { name: job.name, data: job.data, opts: job.opts },
        );
      } catch (error) {
        logger.warn(`could not schedule ${job.name}: ${(error as Error).message}`);
      }
    };
    queue
      .getBackend()
      .client.then((client) => {
        client.on('ready', () => void schedule());
        return schedule();
      })
      .catch((error: Error) => logger.warn(`${job.name} schedule: ${error.message}`));
    return this.start(queue.name, processor, { ...options, concurrency: 1 });
  }
}
