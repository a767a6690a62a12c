import { Injectable, Logger } from '@nestjs/common';
import { Processor, Worker, WorkerOptions } from 'bullmq';
import { RedisConnections } from './redis-connections';

/** What a hosted worker decides for itself; the connection and the key prefix are the process's. */
export type HostedWorkerOptions = Omit<WorkerOptions, 'connection' | 'prefix'>;

const ERROR_REPEAT_INTERVAL_MS = 60_000;

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
      prefix: this.redis.prefix,
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
}
