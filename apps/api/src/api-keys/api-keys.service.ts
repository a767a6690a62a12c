import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { recordAudit } from '@agentq/audit';
import { API_KEY_SCOPES, ApiKey, ApiKeyScope, inTenantTransaction } from '@agentq/database';
import { DataSource, EntityManager, IsNull } from 'typeorm';
import { ApiKeyRevocations } from '../auth/api-key-revocations.service';
import { generateApiKeySecret } from '../auth/api-key-secret';
import { ApiKeyUsage } from '../auth/api-key-usage.service';
import { AuthContext } from '../auth/auth.decorators';
import { ForbiddenScopeError, NotFoundError } from '../common/api-errors';
import { definedOnly } from '../common/defined-only';
import { CreatedApiKeyView } from './api-key.view';
import { UpdateApiKeyDto } from './dto/update-api-key.dto';

export interface NewApiKey {
  name: string;
  scopes?: ApiKeyScope[];
  budgetDailyUsd?: string | null;
  budgetMonthlyUsd?: string | null;
}

@Injectable()
export class ApiKeysService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly revocations: ApiKeyRevocations,
    private readonly usage: ApiKeyUsage,
  ) {}

  /**
   * Issues a key; `manager` lets the caller include it in its own transaction (which must have
   * the tenant set).
   */
  async create(
    tenantId: string,
    key: NewApiKey,
    manager?: EntityManager,
  ): Promise<CreatedApiKeyView> {
    if (!manager) {
      return inTenantTransaction(this.dataSource, tenantId, (tx) => this.create(tenantId, key, tx));
    }
    const secret = generateApiKeySecret();
    const row = manager.create(ApiKey, {
      tenantId,
      name: key.name,
      prefix: secret.prefix,
      keyHash: secret.hash,
      scopes: key.scopes ?? [...API_KEY_SCOPES],
      budgetDailyUsd: key.budgetDailyUsd ?? null,
      budgetMonthlyUsd: key.budgetMonthlyUsd ?? null,
    });
    await manager.insert(ApiKey, row);
    await recordAudit(manager, {
      tenantId,
      action: 'api_key.created',
      targetType: 'api_key',
      targetId: row.id,
      before: null,
      after: { ...row },
    });
    return {
      id: row.id,
      name: row.name,
      prefix: row.prefix,
      key: secret.key,
      scopes: row.scopes,
      budgetDailyUsd: row.budgetDailyUsd,
      budgetMonthlyUsd: row.budgetMonthlyUsd,
      createdAt: row.createdAt,
    };
  }

  /** A key may only issue keys with scopes it has itself: a write-only key cannot mint a reader. */
  issueForCaller(caller: AuthContext, key: NewApiKey): Promise<CreatedApiKeyView> {
    const missing = (key.scopes ?? API_KEY_SCOPES).find((scope) => !caller.scopes.includes(scope));
    if (missing) throw new ForbiddenScopeError(missing);
    return this.create(caller.tenantId, key);
  }

  async list(tenantId: string): Promise<ApiKey[]> {
    // last_used_at is written in batches: the uses this process has seen are written first.
    await this.usage.flush();
    return inTenantTransaction(this.dataSource, tenantId, (manager) =>
      manager
        .getRepository(ApiKey)
        .find({ where: { tenantId }, order: { createdAt: 'DESC', id: 'DESC' } }),
    );
  }

  /** Renames a key or changes its budgets (submissions see a change within a second). */
  async update(tenantId: string, id: string, changes: UpdateApiKeyDto): Promise<ApiKey> {
    const update = definedOnly({
      name: changes.name,
      budgetDailyUsd: changes.budgetDailyUsd,
      budgetMonthlyUsd: changes.budgetMonthlyUsd,
    });
    return inTenantTransaction(this.dataSource, tenantId, async (manager) => {
      const keys = manager.getRepository(ApiKey);
      const before = await keys.findOneBy({ id, tenantId });
      if (!before) throw new NotFoundError('API key');
      if (Object.keys(update).length === 0) return before;
      await keys.update({ id, tenantId }, update);
      const after = (await keys.findOneBy({ id, tenantId }))!;
      await recordAudit(manager, {
        tenantId,
        action: 'api_key.updated',
        targetType: 'api_key',
        targetId: id,
        before: { ...before },
        after: { ...after },
      });
      return after;
    });
  }

  /**
   * Revoking twice is harmless (and announces it again); every API process refuses the key
   * within a second of the answer.
   */
  async revoke(tenantId: string, id: string): Promise<void> {
    await inTenantTransaction(this.dataSource, tenantId, async (manager) => {
      const keys = manager.getRepository(ApiKey);
      const { affected } = await keys.update(
        { id, tenantId, revokedAt: IsNull() },
        { revokedAt: () => 'now()' },
      );
      if (affected === 0 && !(await keys.existsBy({ id, tenantId }))) {
        throw new NotFoundError('API key');
      }
      if (affected) {
        await recordAudit(manager, {
          tenantId,
          action: 'api_key.revoked',
          targetType: 'api_key',
          targetId: id,
          before: { revokedAt: null },
          after: { revokedAt: new Date() },
        });
      }
    });
    await this.revocations.announce(id);
  }
}
