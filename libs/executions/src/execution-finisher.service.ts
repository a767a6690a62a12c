import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { ExecutionAborter } from './execution-aborter.service';
import { CommittedFollowUps, ExecutionFollowUps } from './execution-follow-ups.service';
import { ItemOutcome, MicroBatcher } from './micro-batcher';
import { emptyPlanAdvanceSink, PlanAdvanceSink } from './plan-advancement';
import { recordTerminalOutcomes } from './record-terminal-outcomes';
import { RecordedTransition, TerminalOutcome } from './terminal-outcome';
import { withTransactionRetry } from './transient-database-error';

const MAX_BATCH_SIZE = 500;

/** Told of every group commit: how many outcomes it wrote and how long it took. */
export type GroupCommitObserver = (outcomes: number, seconds: number) => void;

/**
 * Group commit of terminal outcomes: outcomes that arrive while a commit is in flight are
 * written together in the next one. Each caller's promise settles only after its outcome is
 * durable, so a job is acknowledged to BullMQ after its commit.
 */
@Injectable()
export class ExecutionFinisher {
  private readonly logger = new Logger(ExecutionFinisher.name);
  private readonly batcher = new MicroBatcher<TerminalOutcome, RecordedTransition | null>(
    (outcomes) => this.commit(outcomes),
    { maxBatchSize: MAX_BATCH_SIZE },
  );
  private observers: GroupCommitObserver[] = [];

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly followUps: ExecutionFollowUps,
    private readonly aborter: ExecutionAborter,
  ) {}

  /** Resolves with the transition if this outcome won it, null if the execution was already terminal. */
  record(outcome: TerminalOutcome): Promise<RecordedTransition | null> {
    return this.batcher.submit(outcome);
  }

  observeCommits(observer: GroupCommitObserver): void {
    this.observers.push(observer);
  }

  private async commit(
    outcomes: TerminalOutcome[],
  ): Promise<ItemOutcome<RecordedTransition | null>[]> {
    const startedAt = performance.now();
    try {
      const plan = await this.followUps.plan(outcomes);
      const { won, followUps, cancelled } = await withTransactionRetry(async () => {
        // Plan tasks made ready by these outcomes are created in the same transaction.
        const planSink: PlanAdvanceSink = emptyPlanAdvanceSink();
        if (!this.followUps.needsTransaction(plan)) {
          const won = await recordTerminalOutcomes(this.dataSource.manager, outcomes, planSink);
          return { won, followUps: { jobs: planSink.jobs }, cancelled: planSink.cancelled };
        }
        // Follow-ups (memories, handoffs) commit with the transitions, only for those that won.
        return this.dataSource.transaction(async (manager) => {
          const won = await recordTerminalOutcomes(manager, outcomes, planSink);
          const followUps: CommittedFollowUps = await this.followUps.apply(manager, won, plan);
          return {
            won,
            followUps: { jobs: [...followUps.jobs, ...planSink.jobs] },
            cancelled: planSink.cancelled,
          };
        });
      });
      const seconds = (performance.now() - startedAt) / 1_000;
      for (const observe of this.observers) observe(outcomes.length, seconds);
      // Tasks a fail_fast plan cancelled in this commit stop on their workers too.
      await this.aborter.abortAll(cancelled);
      await this.followUps.afterCommit(followUps);
      const byId = new Map(won.map((transition) => [transition.executionId, transition]));
      return outcomes.map((o) => ({ ok: true, value: byId.get(o.executionId) ?? null }));
    } catch (error) {
      this.logger.error(
        `group commit of ${outcomes.length} outcome(s) failed: ${(error as Error).message}`,
      );
      throw error;
    }
  }
}
