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
import { inTenantTransaction } from '@agentq/database';
import { findExecution, toExecutionView } from '@agentq/executions';
import {
  JobQueue,
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
  ClaimedDelivery,
  claimDeliveryAttempt,
  createWebhookOutboundClient,
  DeliveryAttemptOutcome,
  DeliveryNext,
  nextWebhookAttempt,
  recordDeliveryAttempt,
  WebhookEventBody,
  webhookHeaders,
} from '@agentq/webhooks';
import { Job, Worker } from 'bullmq';
import { DataSource, EntityManager } from 'typeorm';

interface AttemptResult extends DeliveryAttemptOutcome {
  // The outbound policy refused the destination: retrying would change nothing.
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
    private readonly deliveries: JobQueue<typeof WEBHOOK_DELIVERY_JOB>,
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
      const delivery = await claimDeliveryAttempt(
        manager,
        deliveryId,
        attempt,
        this.config.webhooks.timeoutMs + 30_000,
      );
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
      const execution = await findExecution(manager, delivery.tenant_id, delivery.resource_id);
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
    const then: DeliveryNext = succeeded
      ? { kind: 'succeeded' }
      : next && 'retryAt' in next
        ? { kind: 'retry', retryAt: next.retryAt }
        : {
            kind: 'give_up',
            endpointFailing: result.refused
              ? null
              : {
                  disableAfterDays: this.config.webhooks.disableAfterDays,
                  reason: `deliveries failed for ${formatDuration(this.config.webhooks.disableAfterDays * 86_400_000)}`,
                },
          };
    const disabled = await inTenantTransaction(this.dataSource, delivery.tenant_id, (manager) =>
      recordDeliveryAttempt(manager, delivery, attempt, result, then),
    );
    if (disabled) this.logger.warn(`webhook ${disabled.id} disabled: ${disabled.disabled_reason}`);
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
}

function describeNetworkError(error: unknown): string {
  const cause = (error as Error).cause as { code?: string; message?: string } | undefined;
  return cause?.code ?? cause?.message ?? (error as Error).message;
}
