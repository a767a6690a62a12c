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
  CONTEXT_MAINTENANCE_JOB,
  CONTEXT_MAINTENANCE_SCHEDULER_ID,
  ContextMaintenanceJobData,
  contextMaintenanceJobOptions,
  ContextMaintenanceJobResult,
  JobQueue,
  QUEUES,
} from '@agentq/jobs';
import { QueueWorkers } from '@agentq/redis';
import { Worker } from 'bullmq';
import { ContextMaintenance } from './context-maintenance.service';

/**
 * Runs the repeatable agent-context maintenance job. Every worker upserts the same job
 * scheduler (one schedule per deployment); the run itself takes a PostgreSQL advisory lock, so
 * two workers never run it at once.
 */
@Injectable()
export class ContextMaintenanceProcessor
  implements OnApplicationBootstrap, BeforeApplicationShutdown
{
  private readonly logger = new Logger(ContextMaintenanceProcessor.name);
  private worker: Worker<ContextMaintenanceJobData, ContextMaintenanceJobResult> | null = null;

  constructor(
    private readonly maintenance: ContextMaintenance,
    @InjectQueue(QUEUES.contextMaintenance)
    private readonly queue: JobQueue<typeof CONTEXT_MAINTENANCE_JOB>,
    private readonly workers: QueueWorkers,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Not awaited: a worker must boot (and wait for Redis) even while Redis is down. */
  onApplicationBootstrap() {
    this.queue
      .upsertJobScheduler(
        CONTEXT_MAINTENANCE_SCHEDULER_ID,
        { every: this.config.contextMaintenance.intervalMs },
        { name: CONTEXT_MAINTENANCE_JOB, data: {}, opts: contextMaintenanceJobOptions },
      )
      .catch((error: Error) =>
        // Not fatal: another worker (or this one's next start) schedules it.
        this.logger.warn(`could not schedule context maintenance: ${error.message}`),
      );
    this.worker = this.workers.start(QUEUES.contextMaintenance, () => this.maintenance.run(), {
      concurrency: 1,
    });
  }

  /** Let a run in progress finish while the database is still open. */
  async beforeApplicationShutdown() {
    await this.worker?.close();
  }
}
