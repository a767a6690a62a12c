import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { AgentExecution, inTenantTransaction } from '@agentq/database';
import {
  executionPageOrder,
  filteredExecutions,
  findExecution,
  rerunsOf,
} from '@agentq/executions';
import { planTaskOfExecution } from '@agentq/plans';
import { DataSource } from 'typeorm';
import { NotFoundError } from '../common/api-errors';
import { newestFirstPage } from '../common/newest-first-page';
import { ListExecutionsQuery } from './dto/list-executions.query';

@Injectable()
export class ExecutionReader {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async get(tenantId: string, executionId: string): Promise<AgentExecution> {
    const execution = await inTenantTransaction(this.dataSource, tenantId, (manager) =>
      findExecution(manager, tenantId, executionId),
    );
    if (!execution) throw new NotFoundError('execution');
    return execution;
  }

  /** The execution with the plan task it runs and the executions that rerun it. */
  async detail(tenantId: string, executionId: string) {
    // One after the other: a transaction is one connection, which runs one query at a time.
    const { execution, task, reruns } = await inTenantTransaction(
      this.dataSource,
      tenantId,
      async (manager) => ({
        execution: await findExecution(manager, tenantId, executionId),
        task: await planTaskOfExecution(manager, tenantId, executionId),
        reruns: await rerunsOf(manager, tenantId, executionId),
      }),
    );
    if (!execution) throw new NotFoundError('execution');
    return { execution, task, reruns };
  }

  list(tenantId: string, query: ListExecutionsQuery) {
    const filter = { ...query, tags: query.tag };
    return inTenantTransaction(this.dataSource, tenantId, (manager) =>
      newestFirstPage(
        filteredExecutions(manager, tenantId, filter),
        'e',
        query,
        executionPageOrder(filter),
      ),
    );
  }
}
