import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { emptyPlanAdvanceSink } from '../follow-ups/plan-advancement';
import { recordTerminalOutcomes } from '../store/record-terminal-outcomes';
import { cancelledOutcome, RecordedTransition } from '../store/terminal-outcome';
import { withTransactionRetry } from '../support/transient-database-error';
import { ExecutionAborter } from './execution-aborter.service';

/**
 * Cancelling an execution: the terminal transition is won first (so it is counted once, as
 * cancelled, with its rollups and plan advancement), then its job is stopped and the
 * cancellation announced (ExecutionAborter), likewise for the sibling tasks a fail_fast plan
 * cancelled with it.
 */
@Injectable()
export class ExecutionCanceller {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly aborter: ExecutionAborter,
  ) {}

  /** The cancelled transition, or null when the execution had already ended (or is not the tenant's). */
  async cancel(tenantId: string, executionId: string): Promise<RecordedTransition | null> {
    const { won, siblings } = await withTransactionRetry(async () => {
      const planSink = emptyPlanAdvanceSink();
      const [won] = await recordTerminalOutcomes(
        this.dataSource.manager,
        [cancelledOutcome(executionId, tenantId)],
        planSink,
      );
      return { won, siblings: planSink.cancelled };
    });
    if (won) await this.aborter.abort(won);
    await this.aborter.abortAll(siblings);
    return won ?? null;
  }
}
