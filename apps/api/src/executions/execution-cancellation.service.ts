import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { AgentExecution, TERMINAL_STATUSES } from '@agentq/database';
import {
  cancelledOutcome,
  emptyPlanAdvanceSink,
  ExecutionAborter,
  recordTerminalOutcomes,
  withTransactionRetry,
} from '@agentq/executions';
import { DataSource } from 'typeorm';
import { ConflictError } from '../common/api-errors';
import { ExecutionReader } from './execution-reader.service';

/**
 * Cancelling wins the terminal transition first (so it is counted once, as cancelled), then
 * stops its job (ExecutionAborter): removes a waiting one or tells the workers to abort it, and
 * likewise for the sibling tasks a fail_fast plan cancelled with it.
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
    const { won, siblings } = await withTransactionRetry(async () => {
      const planSink = emptyPlanAdvanceSink();
      const [won] = await recordTerminalOutcomes(
        this.dataSource.manager,
        [cancelledOutcome(executionId, tenantId)],
        planSink,
      );
      return { won, siblings: planSink.cancelled };
    });
    if (!won) throw alreadyTerminal(await this.reader.get(tenantId, executionId));

    await this.aborter.abort(won);
    // A plan task's cancel can fail its plan (fail_fast): the tasks that cancelled stop too.
    await this.aborter.abortAll(siblings);
    return this.reader.get(tenantId, executionId);
  }
}

function alreadyTerminal(execution: AgentExecution) {
  return new ConflictError('already_terminal', `the execution already ended: ${execution.status}`);
}
