import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { AgentExecution, inTenantTransaction } from '@agentq/database';
import { DataSource } from 'typeorm';
import { NotFoundError } from '../common/api-errors';
import { newestFirstPage } from '../common/newest-first-page';
import { ListExecutionsQuery } from './dto/list-executions.query';

@Injectable()
export class ExecutionReader {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async get(tenantId: string, executionId: string): Promise<AgentExecution> {
    const execution = await inTenantTransaction(this.dataSource, tenantId, (manager) =>
      manager.getRepository(AgentExecution).findOneBy({ id: executionId, tenantId }),
    );
    if (!execution) throw new NotFoundError('execution');
    return execution;
  }

  list(tenantId: string, query: ListExecutionsQuery) {
    return inTenantTransaction(this.dataSource, tenantId, (manager) => {
      const qb = manager
        .getRepository(AgentExecution)
        .createQueryBuilder('e')
        .where('e.tenant_id = :tenantId', { tenantId });
      if (query.agentId) qb.andWhere('e.agent_id = :agentId', { agentId: query.agentId });
      if (query.status) qb.andWhere('e.status = :status', { status: query.status });
      if (query.from) qb.andWhere('e.created_at >= :from', { from: query.from });
      if (query.to) qb.andWhere('e.created_at < :to', { to: query.to });
      return newestFirstPage(qb, 'e', query);
    });
  }
}
