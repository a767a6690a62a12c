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
  RECONCILE_EXECUTIONS_JOB,
  RECONCILE_EXECUTIONS_SCHEDULER_ID,
  ReconcileExecutionsJobData,
  reconcileExecutionsJobOptions,
  ReconcileExecutionsJobResult,
} from '@agentq/jobs';
import { QueueWorkers } from '@agentq/redis';
import { Job, Worker } from 'bullmq';
import { ExecutionReconciler } from './execution-reconciler.service';
import { ReconcilerMetrics } from './reconciler-metrics';

type ReconcileJob = Job<ReconcileExecutionsJobData, ReconcileExecutionsJobResult>;

/**
 * Runs the reconciler as a BullMQ repeatable job on a queue of its own. Every worker upserts the
 * one job scheduler (at boot and after each Redis reconnect, so a Redis that lost its data gets
 * it back) and the queue's global concurrency is 1: one run at a time in the whole cluster.
 */
@Injectable()
export class ExecutionReconcilerWorker
  implements OnApplicationBootstrap, BeforeApplicationShutdown
{
  private readonly logger = new Logger(ExecutionReconcilerWorker.name);
  private worker: Worker<ReconcileExecutionsJobData, ReconcileExecutionsJobResult> | null = null;

  constructor(
    @InjectQueue(QUEUES.executionReconciler)
    private readonly queue: JobQueue<typeof RECONCILE_EXECUTIONS_JOB>,
    private readonly reconciler: ExecutionReconciler,
    private readonly metrics: ReconcilerMetrics,
    private readonly workers: QueueWorkers,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap() {
    this.worker = this.workers.startSingleton(
      this.queue,
      {
        schedulerId: RECONCILE_EXECUTIONS_SCHEDULER_ID,
        everyMs: this.config.reconciler.intervalMs,
        name: RECONCILE_EXECUTIONS_JOB,
        data: {},
        opts: reconcileExecutionsJobOptions,
      },
      (job: ReconcileJob) => this.run(job),
      {
        lockDuration: this.config.worker.lockDurationMs,
        stalledInterval: this.config.worker.stalledIntervalMs,
      },
    );
  }

  /** Lets a run in progress finish while the database and Redis are still open. */
  async beforeApplicationShutdown() {
    await this.worker?.close();
  }

  private async run(job: ReconcileJob): Promise<ReconcileExecutionsJobResult> {
    try {
      const result = await this.reconciler.reconcile();
      this.metrics.run('ok');
      const acted = result.requeued + result.retried + result.failed;
      if (acted > 0) {
        this.logger.log(
          `reconciler run ${job.id}: ${result.requeued} requeued, ${result.retried} retried, ` +
            `${result.failed} failed`,
        );
      }
      return result;
    } catch (error) {
      this.metrics.run('error');
      this.logger.warn(`reconciler run ${job.id} failed: ${(error as Error).message}`);
      throw error;
    }
  }
}
