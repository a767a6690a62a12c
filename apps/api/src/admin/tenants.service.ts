import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { recordAudit } from '@agentq/audit';
import { inTenantTransaction, Tenant } from '@agentq/database';
import { DataSource } from 'typeorm';
import { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { CreatedApiKeyView } from '../api-keys/api-key.view';
import { ApiKeysService, NewApiKey } from '../api-keys/api-keys.service';
import { NotFoundError } from '../common/api-errors';
import { newestFirstPage, Page } from '../common/newest-first-page';
import { PageQuery } from '../common/page.query';
import { definedOnly } from '../common/defined-only';
import { UpdateTenantDto } from './dto/update-tenant.dto';

const FIRST_API_KEY: NewApiKey = { name: 'default', scopes: ['read', 'write'] };

@Injectable()
export class TenantsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly apiKeys: ApiKeysService,
  ) {}

  /**
   * The tenant and its first API key, in one transaction: never a tenant nobody can use. The id
   * is made here so the transaction can run as that tenant (row-level security).
   */
  createWithFirstKey(name: string): Promise<{ tenant: Tenant; apiKey: CreatedApiKeyView }> {
    const id = randomUUID();
    return inTenantTransaction(this.dataSource, id, async (manager) => {
      const tenant = manager.create(Tenant, { id, name });
      await manager.insert(Tenant, tenant);
      await recordAudit(manager, {
        tenantId: id,
        action: 'tenant.created',
        targetType: 'tenant',
        targetId: id,
        before: null,
        after: { ...tenant },
      });
      const apiKey = await this.apiKeys.create(tenant.id, FIRST_API_KEY, manager);
      return { tenant, apiKey };
    });
  }

  /**
   * Every tenant, for the admin token: row-level security shows the API one tenant at a time,
   * so this reads through agentq_admin_list_tenants(), a SECURITY DEFINER function that returns
   * the tenants table and nothing else (no keys, credentials or executions).
   */
  list(page: PageQuery): Promise<Page<Tenant>> {
    const query = this.dataSource.getRepository(Tenant).createQueryBuilder('t');
    // Same entity mapping, rows from the function instead of the table.
    query.expressionMap.mainAlias!.subQuery = '(SELECT * FROM agentq_admin_list_tenants())';
    return newestFirstPage(query, 't', page);
  }

  update(tenantId: string, changes: UpdateTenantDto): Promise<Tenant> {
    return inTenantTransaction(this.dataSource, tenantId, async (manager) => {
      const tenants = manager.getRepository(Tenant);
      const before = await tenants.findOneBy({ id: tenantId });
      const update = definedOnly<QueryDeepPartialEntity<Tenant>>({
        name: changes.name,
        budgetDailyUsd: changes.budgetDailyUsd,
        budgetMonthlyUsd: changes.budgetMonthlyUsd,
        endUserBudgetDailyUsd: changes.endUserBudgetDailyUsd,
        endUserBudgetMonthlyUsd: changes.endUserBudgetMonthlyUsd,
      });
      if (Object.keys(update).length > 0) await tenants.update({ id: tenantId }, update);
      const tenant = await tenants.findOneBy({ id: tenantId });
      if (!tenant) throw new NotFoundError('tenant');
      await recordAudit(manager, {
        tenantId,
        action: 'tenant.updated',
        targetType: 'tenant',
        targetId: tenantId,
        before: { ...before },
        after: { ...tenant },
      });
      return tenant;
    });
  }

  issueApiKey(tenantId: string, key: NewApiKey): Promise<CreatedApiKeyView> {
    return inTenantTransaction(this.dataSource, tenantId, async (manager) => {
      if (!(await manager.getRepository(Tenant).existsBy({ id: tenantId }))) {
        throw new NotFoundError('tenant');
      }
      return this.apiKeys.create(tenantId, key, manager);
    });
  }
}
