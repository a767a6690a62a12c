import { InjectQueue, Processor, WorkerHost } from '@nestjs/bullmq';
import { BeforeApplicationShutdown, Inject, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@agentq/config';
import {
  CONTEXT_MAINTENANCE_JOB,
  CONTEXT_MAINTENANCE_SCHEDULER_ID,
  ContextMaintenanceJobData,
  ContextMaintenanceJobResult,
  contextMaintenanceJobOptions,
  QUEUES,
} from '@agentq/jobs';
import { Job, Queue } from 'bullmq';
import { ContextMaintenance } from './context-maintenance.service';

/**
 * Runs the repeatable agent-context maintenance job. Every worker upserts the same job
 * scheduler (one schedule per deployment); the run itself takes a PostgreSQL advisory lock, so
 * two workers never run it at once.
 */
@Processor(QUEUES.contextMaintenance, { concurrency: 1 })
export class ContextMaintenanceProcessor
  extends WorkerHost
  implements OnApplicationBootstrap, BeforeApplicationShutdown
{
  private readonly logger = new Logger(ContextMaintenanceProcessor.name);

  constructor(
    private readonly maintenance: ContextMaintenance,
    @InjectQueue(QUEUES.contextMaintenance)
    private readonly queue: Queue<ContextMaintenanceJobData, ContextMaintenanceJobResult>,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    super();
  }

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
  }

  /** Let a run in progress finish while the database is still open. */
  async beforeApplicationShutdown() {
    await this.worker.close();
  }

  async process(
    _job: Job<ContextMaintenanceJobData, ContextMaintenanceJobResult>,
  ): Promise<ContextMaintenanceJobResult> {
    return this.maintenance.run();
  }
}
