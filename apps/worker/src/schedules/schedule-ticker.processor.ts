import { InjectQueue } from '@nestjs/bullmq';
import {
  BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
} from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@agentq/config';
import {
  JobQueue,
  QUEUES,
  SCHEDULE_TICK_JOB,
  SCHEDULE_TICK_SCHEDULER_ID,
  ScheduleTickJobData,
  scheduleTickJobOptions,
  ScheduleTickJobResult,
} from '@agentq/jobs';
import { QueueWorkers } from '@agentq/redis';
import { Job, Worker } from 'bullmq';
import { ScheduleFirings } from './schedule-firing.service';

/**
 * The schedule tick as a BullMQ job scheduler, as the reconciler runs: every worker upserts the
 * one scheduler at boot and after each Redis reconnect (so a Redis that lost its data gets it
 * back), and the queue's global concurrency is 1. Redis holds only the tick; which schedules are
 * due lives in PostgreSQL, so nothing about a schedule can be lost or doubled in Redis.
 */
@Injectable()
export class ScheduleTicker implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(ScheduleTicker.name);
  private worker: Worker<ScheduleTickJobData, ScheduleTickJobResult> | null = null;

  constructor(
    @InjectQueue(QUEUES.scheduleTicks)
    private readonly queue: JobQueue<typeof SCHEDULE_TICK_JOB>,
    private readonly firings: ScheduleFirings,
    private readonly workers: QueueWorkers,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap() {
    this.worker = this.workers.startSingleton(
      this.queue,
      {
        schedulerId: SCHEDULE_TICK_SCHEDULER_ID,
        everyMs: this.config.schedules.tickMs,
        name: SCHEDULE_TICK_JOB,
        data: {},
        opts: scheduleTickJobOptions,
      },
      (job: Job<ScheduleTickJobData, ScheduleTickJobResult>) => this.run(job),
      {
        lockDuration: this.config.worker.lockDurationMs,
        stalledInterval: this.config.worker.stalledIntervalMs,
      },
    );
  }

  async beforeApplicationShutdown() {
    await this.worker?.close();
  }

  private async run(
    job: Job<ScheduleTickJobData, ScheduleTickJobResult>,
  ): Promise<ScheduleTickJobResult> {
    try {
      return await this.firings.fireDue();
    } catch (error) {
      this.logger.warn(`schedule tick ${job.id} failed: ${(error as Error).message}`);
      throw error;
    }
  }
}
