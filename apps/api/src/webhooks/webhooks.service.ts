import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { APP_CONFIG, AppConfig } from '@agentq/config';
import { WebhookSecretCipher } from '@agentq/crypto';
import { recordAudit } from '@agentq/audit';
import { inTenantTransaction } from '@agentq/database';
import { destinationProblem, systemResolver } from '@agentq/outbound';
import {
  newWebhookSecret,
  queueSingleDelivery,
  readDeliveries,
  redeliverDelivery,
  WEBHOOK_TEST_EVENT,
  WebhookRow,
} from '@agentq/webhooks';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { NotFoundError, ValidationFailedError } from '../common/api-errors';
import { Page } from '../common/newest-first-page';
import { PageQuery } from '../common/page.query';
import { rawNewestFirstPage } from '../common/raw-page';
import { CreateWebhookDto } from './dto/create-webhook.dto';
import { UpdateWebhookDto } from './dto/update-webhook.dto';
import { AttemptRow, DeliveryRow } from './webhook-delivery.view';

// How long a rotated-out secret still signs deliveries, beside the new one.
const PREVIOUS_SECRET_VALID_MS = 24 * 3_600_000;

export interface WebhookWithSecret {
  webhook: WebhookRow;
  secret: string;
}

@Injectable()
export class WebhooksService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly cipher: WebhookSecretCipher,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  // With AGENTQ_BLOCK_PRIVATE_WEBHOOK_URLS, an early answer; every delivery checks again.
  private async assertAllowedDestination(url: string | undefined) {
    if (!url || !this.config.webhooks.blockPrivateUrls) return;
    const problem = await destinationProblem(url, systemResolver);
    if (problem) throw new ValidationFailedError([{ field: 'url', message: problem }]);
  }

  async create(tenantId: string, body: CreateWebhookDto): Promise<WebhookWithSecret> {
    await this.assertAllowedDestination(body.url);
    const id = randomUUID();
    const secret = newWebhookSecret();
    const [webhook] = await inTenantTransaction(this.dataSource, tenantId, async (manager) => {
      const rows = await manager.query(
        `INSERT INTO webhooks (id, tenant_id, url, events, description, secret_ciphertext)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING *`,
        [
          id,
          tenantId,
          body.url,
          [...new Set(body.events)],
          body.description ?? null,
          this.cipher.encrypt(secret, { tenantId, webhookId: id }),
        ],
      );
      await recordAudit(manager, {
        tenantId,
        action: 'webhook.created',
        targetType: 'webhook',
        targetId: id,
        before: null,
        after: rows[0],
      });
      return rows;
    });
    return { webhook, secret };
  }

  list(tenantId: string, page: PageQuery): Promise<Page<WebhookRow>> {
    return inTenantTransaction(this.dataSource, tenantId, (manager) =>
      rawNewestFirstPage<WebhookRow>(
        (sql, params) => manager.query(sql, params),
        'webhooks',
        'true',
        [],
        page,
      ),
    );
  }

  get(tenantId: string, id: string): Promise<WebhookRow> {
    return inTenantTransaction(this.dataSource, tenantId, (manager) => this.find(manager, id));
  }

  async update(tenantId: string, id: string, changes: UpdateWebhookDto): Promise<WebhookRow> {
    await this.assertAllowedDestination(changes.url);
    return inTenantTransaction(this.dataSource, tenantId, async (manager) => {
      const before = await this.find(manager, id);
      const [[row]] = await manager.query(
        `UPDATE webhooks
            SET url = COALESCE($2, url),
                events = COALESCE($3, events),
                description = CASE WHEN $4::boolean THEN $5 ELSE description END,
                status = CASE WHEN $6::boolean IS NULL THEN status
                              WHEN $6 THEN 'active' ELSE 'disabled' END,
                failing_since = CASE WHEN $6::boolean IS NULL THEN failing_since END,
                disabled_at = CASE WHEN $6::boolean IS NULL THEN disabled_at
                                   WHEN $6 THEN NULL ELSE now() END,
                disabled_reason = CASE WHEN $6::boolean IS NULL THEN disabled_reason
                                       WHEN $6 THEN NULL ELSE 'disabled by request' END,
                updated_at = now()
          WHERE id = $1
         RETURNING *`,
        [
          id,
          changes.url ?? null,
          changes.events ? [...new Set(changes.events)] : null,
          changes.description !== undefined,
          changes.description ?? null,
          changes.enabled ?? null,
        ],
      );
      await recordAudit(manager, {
        tenantId,
        action: 'webhook.updated',
        targetType: 'webhook',
        targetId: id,
        before: { ...before },
        after: row,
      });
      return row as WebhookRow;
    });
  }

  async remove(tenantId: string, id: string): Promise<void> {
    const [deleted] = await inTenantTransaction(this.dataSource, tenantId, async (manager) => {
      const [rows] = await manager.query(`DELETE FROM webhooks WHERE id = $1 RETURNING *`, [id]);
      if (rows.length > 0) {
        await recordAudit(manager, {
          tenantId,
          action: 'webhook.deleted',
          targetType: 'webhook',
          targetId: id,
          before: rows[0],
          after: null,
        });
      }
      return rows;
    });
    if (!deleted) throw new NotFoundError('webhook');
  }

  /** A new secret; the previous one keeps signing (a second signature) for 24 hours. */
  rotateSecret(tenantId: string, id: string): Promise<WebhookWithSecret> {
    const secret = newWebhookSecret();
    return inTenantTransaction(this.dataSource, tenantId, async (manager) => {
      const before = await this.find(manager, id);
      const [[webhook]] = await manager.query(
        `UPDATE webhooks
            SET previous_secret_ciphertext = secret_ciphertext,
                previous_secret_expires_at = $3,
                secret_ciphertext = $2,
                updated_at = now()
          WHERE id = $1
         RETURNING *`,
        [
          id,
          this.cipher.encrypt(secret, { tenantId, webhookId: id }),
          new Date(Date.now() + PREVIOUS_SECRET_VALID_MS),
        ],
      );
      await recordAudit(manager, {
        tenantId,
        action: 'webhook.secret_rotated',
        targetType: 'webhook',
        targetId: id,
        before: { ...before },
        after: { ...webhook },
      });
      return { webhook, secret };
    });
  }

  /** Queues a `webhook.test` delivery to this endpoint only, through the usual outbox. */
  sendTest(tenantId: string, id: string): Promise<DeliveryRow> {
    return inTenantTransaction(this.dataSource, tenantId, async (manager) => {
      await this.find(manager, id);
      return queueSingleDelivery<DeliveryRow>(manager, tenantId, id, WEBHOOK_TEST_EVENT, {
        webhookId: id,
        message: 'a test event from agentq',
      });
    });
  }

  deliveries(
    tenantId: string,
    id: string,
    page: PageQuery,
  ): Promise<{
    data: { delivery: DeliveryRow; attempts: AttemptRow[] }[];
    nextCursor: string | null;
  }> {
    return inTenantTransaction(this.dataSource, tenantId, async (manager) => {
      await this.find(manager, id);
      return readDeliveries<DeliveryRow, AttemptRow>(manager, id, (table, where, params) =>
        rawNewestFirstPage<DeliveryRow>(
          (sql, values) => manager.query(sql, values),
          table,
          where,
          params,
          page,
        ),
      );
    });
  }

  /** Sends a delivery again from now, with a new retry window; its webhook-id stays the same. */
  redeliver(tenantId: string, id: string, deliveryId: string): Promise<DeliveryRow> {
    return inTenantTransaction(this.dataSource, tenantId, async (manager) => {
      const delivery = await redeliverDelivery<DeliveryRow>(manager, id, deliveryId);
      if (!delivery) throw new NotFoundError('delivery');
      return delivery;
    });
  }

  private async find(manager: EntityManager, id: string): Promise<WebhookRow> {
    const [row] = await manager.query(`SELECT * FROM webhooks WHERE id = $1`, [id]);
    if (!row) throw new NotFoundError('webhook');
    return row as WebhookRow;
  }
}
