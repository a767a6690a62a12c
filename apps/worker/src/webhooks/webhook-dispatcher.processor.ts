import { InjectQueue } from '@nestjs/bullmq';
import {
  BeforeApplicationShutdown,
  Inject,
  Injectable,
  OnApplicationBootstrap,
} from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { APP_CONFIG, AppConfig } from '@agentq/config';
import { MAINTENANCE_DATA_SOURCE } from '@agentq/database';
import {
  JobQueue,
  QUEUES,
  WEBHOOK_DELIVERY_JOB,
  WEBHOOK_DISPATCH_JOB,
  WEBHOOK_DISPATCH_SCHEDULER_ID,
  webhookDeliveryJobId,
  webhookDeliveryJobOptions,
  WebhookDispatchJobData,
  webhookDispatchJobOptions,
  WebhookDispatchJobResult,
} from '@agentq/jobs';
import { QueueWorkers } from '@agentq/redis';
import { leaseDueDeliveries } from '@agentq/webhooks';
import { Worker } from 'bullmq';
import { DataSource } from 'typeorm';

const DELIVERIES_PER_RUN = 500;

/**
 * Moves due deliveries from PostgreSQL (the outbox the terminal transition writes) to the
 * delivery queue, as a job scheduler like the reconciler's: upserted by every worker at boot and
 * after a reconnect, one run at a time. Delivery is at least once: whatever Redis loses, the row
 * is still pending and is dispatched again.
 */
@Injectable()
export class WebhookDispatcher implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private worker: Worker<WebhookDispatchJobData, WebhookDispatchJobResult> | null = null;

  constructor(
    @InjectQueue(QUEUES.webhookDispatch)
    private readonly queue: JobQueue<typeof WEBHOOK_DISPATCH_JOB>,
    @InjectQueue(QUEUES.webhookDeliveries)
    private readonly deliveries: JobQueue<typeof WEBHOOK_DELIVERY_JOB>,
    @InjectDataSource(MAINTENANCE_DATA_SOURCE) private readonly dataSource: DataSource,
    private readonly workers: QueueWorkers,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** How long a dispatched attempt is left alone: the send limit and a margin for the queue. */
  get leaseMs(): number {
    return this.config.webhooks.timeoutMs + 30_000;
  }

  onApplicationBootstrap() {
    this.worker = this.workers.startSingleton(
      this.queue,
      {
        schedulerId: WEBHOOK_DISPATCH_SCHEDULER_ID,
        everyMs: this.config.webhooks.dispatchIntervalMs,
        name: WEBHOOK_DISPATCH_JOB,
        data: {},
        opts: webhookDispatchJobOptions,
      },
      () => this.dispatchDue(),
      {
        lockDuration: this.config.worker.lockDurationMs,
        stalledInterval: this.config.worker.stalledIntervalMs,
      },
    );
  }

  async beforeApplicationShutdown() {
    await this.worker?.close();
  }

  async dispatchDue(): Promise<WebhookDispatchJobResult> {
    const rows = await leaseDueDeliveries(this.dataSource, DELIVERIES_PER_RUN, this.leaseMs);
    if (rows.length === 0) return { dispatched: 0 };
    await this.deliveries.addBulk(
      rows.map((row) => ({
        name: WEBHOOK_DELIVERY_JOB,
        data: { deliveryId: row.id, tenantId: row.tenant_id, attempt: row.attempts + 1 },
        opts: {
          ...webhookDeliveryJobOptions,
          jobId: webhookDeliveryJobId(row.id, row.attempts + 1),
        },
      })),
    );
    return { dispatched: rows.length };
  }
}
