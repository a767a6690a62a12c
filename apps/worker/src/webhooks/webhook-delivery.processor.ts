import { InjectQueue } from '@nestjs/bullmq';
import {
  BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
} from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { APP_CONFIG, AppConfig } from '@agentq/config';
import { WebhookSecretCipher } from '@agentq/crypto';
import { AgentExecution, inTenantTransaction } from '@agentq/database';
import { toExecutionView } from '@agentq/executions';
import {
  QUEUES,
  WEBHOOK_DELIVERY_JOB,
  WebhookDeliveryJobData,
  webhookDeliveryJobId,
  webhookDeliveryJobOptions,
  WebhookDeliveryJobResult,
} from '@agentq/jobs';
import { formatDuration } from '@agentq/logging';
import { findOutboundError, OutboundClient } from '@agentq/outbound';
import { QueueWorkers } from '@agentq/redis';
import {
  createWebhookOutboundClient,
  nextWebhookAttempt,
  toWebhookView,
  WebhookEventBody,
  webhookHeaders,
  WebhookRow,
} from '@agentq/webhooks';
import { Job, Queue, Worker } from 'bullmq';
import { DataSource, EntityManager } from 'typeorm';

/** Takes the attempt a job names, once: a job for an attempt already made finds nothing. */
const CLAIM_SQL = `
WITH claimed AS (
UPDATE webhook_deliveries d
   SET next_attempt_at = now() + make_interval(secs => $3::double precision / 1000)
  FROM webhooks w
 WHERE d.id = $1 AND d.status = 'pending' AND d.attempts = $2 AND w.id = d.webhook_id
RETURNING d.id, d.tenant_id, d.webhook_id, d.event_type, d.resource_id, d.payload, d.created_at,
          d.retry_window_started_at, w.url, w.status AS webhook_status, w.secret_ciphertext,
          w.previous_secret_ciphertext, w.previous_secret_expires_at
)
SELECT * FROM claimed`;

const RECORD_ATTEMPT_SQL = `
INSERT INTO webhook_delivery_attempts (delivery_id, tenant_id, attempt, status_code, latency_ms, error)
VALUES ($1, $2, $3, $4, $5, $6)`;

const SUCCEEDED_SQL = `
UPDATE webhook_deliveries
   SET status = 'succeeded', attempts = $2, last_status_code = $3, last_error = NULL,
       completed_at = now()
 WHERE id = $1`;

const RETRY_SQL = `
UPDATE webhook_deliveries
   SET attempts = $2, last_status_code = $3, last_error = $4, next_attempt_at = $5
 WHERE id = $1`;

const GIVEN_UP_SQL = `
UPDATE webhook_deliveries
   SET status = 'failed', attempts = $2, last_status_code = $3, last_error = $4,
       completed_at = now()
 WHERE id = $1`;

const ENDPOINT_HEALTHY_SQL = `
UPDATE webhooks SET status = 'active', failing_since = NULL, updated_at = now()
 WHERE id = $1 AND status = 'failing'`;

/** Marks the endpoint failing; returns it when it has failed long enough to be disabled. */
const ENDPOINT_FAILING_SQL = `
WITH marked AS (
UPDATE webhooks
   SET status = CASE WHEN COALESCE(failing_since, now()) <= now() - make_interval(secs => $2::double precision * 86400)
                     THEN 'disabled' ELSE 'failing' END,
       failing_since = COALESCE(failing_since, now()),
       disabled_at = CASE WHEN COALESCE(failing_since, now()) <= now() - make_interval(secs => $2::double precision * 86400)
                          THEN now() END,
       disabled_reason = CASE WHEN COALESCE(failing_since, now()) <= now() - make_interval(secs => $2::double precision * 86400)
                              THEN $3 END,
       updated_at = now()
 WHERE id = $1 AND status <> 'disabled'
RETURNING *
)
SELECT * FROM marked`;

/** The `webhook.disabled` event, to the tenant's other endpoints that subscribe to it. */
const DISABLED_EVENT_SQL = `
INSERT INTO webhook_deliveries (tenant_id, webhook_id, event_type, resource_id, payload)
SELECT tenant_id, id, 'webhook.disabled', $2, $3::jsonb
  FROM webhooks
 WHERE tenant_id = $1 AND id <> $2 AND status <> 'disabled' AND 'webhook.disabled' = ANY (events)`;

interface ClaimedDelivery {
  id: string;
  tenant_id: string;
  webhook_id: string;
  event_type: string;
  resource_id: string | null;
  payload: unknown;
  created_at: Date;
  retry_window_started_at: Date;
  url: string;
  webhook_status: WebhookRow['status'];
  secret_ciphertext: string;
  previous_secret_ciphertext: string | null;
  previous_secret_expires_at: Date | null;
}

interface AttemptResult {
  statusCode: number | null;
  latencyMs: number;
  error: string | null;
  /** The outbound policy refused the destination: retrying would change nothing. */
  refused: boolean;
}

type DeliveryJob = Job<WebhookDeliveryJobData, WebhookDeliveryJobResult>;

/**
 * Sends webhook deliveries on their own queue and concurrency, so a slow or dead endpoint never
 * holds up executions. Each job is one attempt: claimed from its row, signed (Standard Webhooks),
 * sent through the outbound guard, and recorded with its status code, latency and error; a
 * failure schedules the next attempt (exponential backoff with jitter) until the retry window
 * ends, then the delivery is given up and its endpoint marked failing, or disabled.
 */
@Injectable()
export class WebhookDeliveryProcessor implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(WebhookDeliveryProcessor.name);
  private readonly outbound: OutboundClient;
  private worker: Worker<WebhookDeliveryJobData, WebhookDeliveryJobResult> | null = null;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @InjectQueue(QUEUES.webhookDeliveries)
    private readonly deliveries: Queue<WebhookDeliveryJobData, WebhookDeliveryJobResult>,
    private readonly cipher: WebhookSecretCipher,
    private readonly workers: QueueWorkers,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.outbound = createWebhookOutboundClient(
      config.webhooks.blockPrivateUrls,
      config.webhooks.timeoutMs,
    );
  }

  onApplicationBootstrap() {
    this.worker = this.workers.start(
      QUEUES.webhookDeliveries,
      (job: DeliveryJob) =>
        this.deliver(job.data).catch((error: Error) => {
          // Not an endpoint's answer (those are recorded): the row stays pending, and the job is
          // tried again, then removed so that the dispatcher can queue the attempt anew.
          this.logger.warn(
            `delivery ${job.data.deliveryId}: attempt ${job.data.attempt} interrupted (try ${job.attemptsMade + 1} of ${job.opts.attempts}): ${error.message}`,
          );
          throw error;
        }),
      {
        concurrency: this.config.webhooks.concurrency,
        lockDuration: this.config.worker.lockDurationMs,
        stalledInterval: this.config.worker.stalledIntervalMs,
      },
    );
  }

  async beforeApplicationShutdown() {
    await this.worker?.close();
    await this.outbound.close();
  }

  async deliver(job: WebhookDeliveryJobData): Promise<WebhookDeliveryJobResult> {
    const { deliveryId, tenantId, attempt } = job;
    const claimed = await inTenantTransaction(this.dataSource, tenantId, async (manager) => {
      const rows: ClaimedDelivery[] = await manager.query(CLAIM_SQL, [
        deliveryId,
        attempt - 1,
        this.config.webhooks.timeoutMs + 30_000,
      ]);
      const delivery = rows[0];
      if (!delivery) return null;
      return { delivery, body: await this.eventBody(manager, delivery) };
    });
    if (!claimed) return { outcome: 'stale' };
    const { delivery, body } = claimed;
    if (delivery.webhook_status === 'disabled') {
      await this.record(delivery, attempt, {
        statusCode: null,
        latencyMs: 0,
        error: 'the endpoint is disabled',
        refused: true,
      });
      return { outcome: 'refused', statusCode: null };
    }
    const result = await this.send(delivery, body);
    return this.record(delivery, attempt, result);
  }

  private async eventBody(manager: EntityManager, delivery: ClaimedDelivery): Promise<string> {
    let data: unknown = delivery.payload;
    if (data === null && delivery.event_type.startsWith('execution.') && delivery.resource_id) {
      const execution = await manager
        .getRepository(AgentExecution)
        .findOneBy({ id: delivery.resource_id, tenantId: delivery.tenant_id });
      data = execution ? toExecutionView(execution) : { id: delivery.resource_id };
    }
    const event: WebhookEventBody = {
      type: delivery.event_type,
      timestamp: delivery.created_at.toISOString(),
      data,
    };
    return JSON.stringify(event);
  }

  private secrets(delivery: ClaimedDelivery): string[] {
    const owner = { tenantId: delivery.tenant_id, webhookId: delivery.webhook_id };
    const secrets = [this.cipher.decrypt(delivery.secret_ciphertext, owner)];
    if (
      delivery.previous_secret_ciphertext &&
      delivery.previous_secret_expires_at &&
      delivery.previous_secret_expires_at.getTime() > Date.now()
    ) {
      secrets.push(this.cipher.decrypt(delivery.previous_secret_ciphertext, owner));
    }
    return secrets;
  }

  private async send(delivery: ClaimedDelivery, body: string): Promise<AttemptResult> {
    const timestamp = Math.floor(Date.now() / 1_000);
    const startedAt = performance.now();
    const latency = () => Math.round(performance.now() - startedAt);
    try {
      const response = await this.outbound.fetch(delivery.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'agentq-webhooks',
          ...webhookHeaders(this.secrets(delivery), delivery.id, timestamp, body),
        },
        body,
        signal: AbortSignal.timeout(this.config.webhooks.timeoutMs),
      });
      await response.arrayBuffer().catch(() => undefined);
      const ok = response.status >= 200 && response.status < 300;
      return {
        statusCode: response.status,
        latencyMs: latency(),
        error: ok ? null : `the endpoint answered ${response.status}`,
        refused: false,
      };
    } catch (error) {
      const refusal = findOutboundError(error);
      const message =
        refusal?.message ??
        ((error as Error).name === 'TimeoutError'
          ? `no answer within ${formatDuration(this.config.webhooks.timeoutMs)}`
          : describeNetworkError(error));
      return {
        statusCode: null,
        latencyMs: latency(),
        error: message,
        refused: refusal?.code === 'destination_refused',
      };
    }
  }

  private async record(
    delivery: ClaimedDelivery,
    attempt: number,
    result: AttemptResult,
  ): Promise<WebhookDeliveryJobResult> {
    const succeeded = result.error === null;
    const next = succeeded
      ? null
      : result.refused
        ? ({ giveUp: true } as const)
        : nextWebhookAttempt(attempt, delivery.retry_window_started_at, new Date(), {
            baseMs: this.config.webhooks.retryBaseMs,
            maxDelayMs: this.config.webhooks.retryMaxDelayMs,
            windowMs: this.config.webhooks.retryWindowMs,
          });
    await inTenantTransaction(this.dataSource, delivery.tenant_id, async (manager) => {
      await manager.query(RECORD_ATTEMPT_SQL, [
        delivery.id,
        delivery.tenant_id,
        attempt,
        result.statusCode,
        result.latencyMs,
        result.error,
      ]);
      if (succeeded) {
        await manager.query(SUCCEEDED_SQL, [delivery.id, attempt, result.statusCode]);
        await manager.query(ENDPOINT_HEALTHY_SQL, [delivery.webhook_id]);
      } else if (next && 'retryAt' in next) {
        await manager.query(RETRY_SQL, [
          delivery.id,
          attempt,
          result.statusCode,
          result.error,
          next.retryAt,
        ]);
      } else {
        await manager.query(GIVEN_UP_SQL, [delivery.id, attempt, result.statusCode, result.error]);
        if (!result.refused) await this.markEndpointFailing(manager, delivery);
      }
    });
    if (succeeded) return { outcome: 'succeeded', statusCode: result.statusCode };
    if (next && 'retryAt' in next) {
      // The row already says when; this job only saves the dispatcher a lap.
      await this.deliveries
        .add(
          WEBHOOK_DELIVERY_JOB,
          { deliveryId: delivery.id, tenantId: delivery.tenant_id, attempt: attempt + 1 },
          {
            ...webhookDeliveryJobOptions,
            jobId: webhookDeliveryJobId(delivery.id, attempt + 1),
            delay: Math.max(0, next.retryAt.getTime() - Date.now()),
          },
        )
        .catch((error: Error) =>
          this.logger.warn(`delivery ${delivery.id}: next attempt not queued (${error.message})`),
        );
      return { outcome: 'retrying', statusCode: result.statusCode };
    }
    this.logger.warn(
      `delivery ${delivery.id} to webhook ${delivery.webhook_id} given up after attempt ${attempt}: ${result.error}`,
    );
    return { outcome: result.refused ? 'refused' : 'given_up', statusCode: result.statusCode };
  }

  private async markEndpointFailing(
    manager: EntityManager,
    delivery: ClaimedDelivery,
  ): Promise<void> {
    const [webhook]: WebhookRow[] = await manager.query(ENDPOINT_FAILING_SQL, [
      delivery.webhook_id,
      this.config.webhooks.disableAfterDays,
      `deliveries failed for ${formatDuration(this.config.webhooks.disableAfterDays * 86_400_000)}`,
    ]);
    if (webhook?.status !== 'disabled') return;
    this.logger.warn(`webhook ${webhook.id} disabled: ${webhook.disabled_reason}`);
    await manager.query(DISABLED_EVENT_SQL, [
      webhook.tenant_id,
      webhook.id,
      JSON.stringify(toWebhookView(webhook)),
    ]);
  }
}

function describeNetworkError(error: unknown): string {
  const cause = (error as Error).cause as { code?: string; message?: string } | undefined;
  return cause?.code ?? cause?.message ?? (error as Error).message;
}
