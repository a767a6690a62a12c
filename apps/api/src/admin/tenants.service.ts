import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Tenant } from '@agentq/database';
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

  /** The tenant and its first API key, in one transaction: never a tenant nobody can use. */
  createWithFirstKey(name: string): Promise<{ tenant: Tenant; apiKey: CreatedApiKeyView }> {
    return this.dataSource.transaction(async (manager) => {
      const tenant = manager.create(Tenant, { name });
      await manager.insert(Tenant, tenant);
      const apiKey = await this.apiKeys.create(tenant.id, FIRST_API_KEY, manager);
      return { tenant, apiKey };
    });
  }

  list(page: PageQuery): Promise<Page<Tenant>> {
    return newestFirstPage(
      this.dataSource.getRepository(Tenant).createQueryBuilder('t'),
      't',
      page,
    );
  }

  async update(tenantId: string, changes: UpdateTenantDto): Promise<Tenant> {
    const tenants = this.dataSource.getRepository(Tenant);
    const update = definedOnly<QueryDeepPartialEntity<Tenant>>({
      name: changes.name,
      budgetDailyUsd: changes.budgetDailyUsd,
      budgetMonthlyUsd: changes.budgetMonthlyUsd,
    });
    if (Object.keys(update).length > 0) await tenants.update({ id: tenantId }, update);
    const tenant = await tenants.findOneBy({ id: tenantId });
    if (!tenant) throw new NotFoundError('tenant');
    return tenant;
  }

  async issueApiKey(tenantId: string, key: NewApiKey): Promise<CreatedApiKeyView> {
    if (!(await this.dataSource.getRepository(Tenant).existsBy({ id: tenantId }))) {
      throw new NotFoundError('tenant');
    }
    return this.apiKeys.create(tenantId, key);
  }
}
