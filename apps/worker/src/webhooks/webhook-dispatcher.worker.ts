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
  QUEUES,
  WEBHOOK_DELIVERY_JOB,
  WEBHOOK_DISPATCH_JOB,
  WEBHOOK_DISPATCH_SCHEDULER_ID,
  WebhookDeliveryJobData,
  webhookDeliveryJobId,
  webhookDeliveryJobOptions,
  WebhookDispatchJobData,
  WebhookDispatchJobResult,
  webhookDispatchJobOptions,
} from '@agentq/jobs';
import { QueueWorkers } from '@agentq/redis';
import { Queue, Worker } from 'bullmq';
import { DataSource } from 'typeorm';

const DELIVERIES_PER_RUN = 500;

/**
 * Leases due deliveries (their next attempt pushed past the send time limit) so a run that
 * follows does not take them again; a job lost with Redis is taken again once its lease ends.
 */
const LEASE_DUE_SQL = `
WITH leased AS (
UPDATE webhook_deliveries d
   SET next_attempt_at = now() + make_interval(secs => $2::double precision / 1000)
  FROM (SELECT id FROM webhook_deliveries
         WHERE status = 'pending' AND next_attempt_at <= now()
         ORDER BY next_attempt_at
         LIMIT $1
           FOR UPDATE SKIP LOCKED) due
 WHERE d.id = due.id
RETURNING d.id, d.tenant_id, d.attempts
)
SELECT * FROM leased`;

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
    private readonly queue: Queue<WebhookDispatchJobData, WebhookDispatchJobResult>,
    @InjectQueue(QUEUES.webhookDeliveries)
    private readonly deliveries: Queue<WebhookDeliveryJobData>,
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
    const rows: { id: string; tenant_id: string; attempts: number }[] = await this.dataSource.query(
      LEASE_DUE_SQL,
      [DELIVERIES_PER_RUN, this.leaseMs],
    );
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
