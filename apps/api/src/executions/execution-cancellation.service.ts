import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { AgentExecution, TERMINAL_STATUSES } from '@agentq/database';
import {
  cancelledOutcome,
  ExecutionAborter,
  recordTerminalOutcomes,
  withTransactionRetry,
} from '@agentq/executions';
import { DataSource } from 'typeorm';
import { ConflictError } from '../common/api-errors';
import { ExecutionReader } from './execution-reader.service';

/**
 * Cancelling wins the terminal transition first (so it is counted once, as cancelled), then
 * stops its job (ExecutionAborter): removes a waiting one or tells the workers to abort it.
 */
@Injectable()
export class ExecutionCancellation {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly reader: ExecutionReader,
    private readonly aborter: ExecutionAborter,
  ) {}

  async cancel(tenantId: string, executionId: string): Promise<AgentExecution> {
    const execution = await this.reader.get(tenantId, executionId);
    if (TERMINAL_STATUSES.includes(execution.status)) throw alreadyTerminal(execution);
    const [won] = await withTransactionRetry(() =>
      recordTerminalOutcomes(this.dataSource.manager, [cancelledOutcome(executionId, tenantId)]),
    );
    if (!won) throw alreadyTerminal(await this.reader.get(tenantId, executionId));

    await this.aborter.abort(won);
    return this.reader.get(tenantId, executionId);
  }
}

function alreadyTerminal(execution: AgentExecution) {
  return new ConflictError('already_terminal', `the execution already ended: ${execution.status}`);
}
