import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { ExecutionAborter } from './execution-aborter.service';
import { CommittedFollowUps, ExecutionFollowUps } from '../follow-ups/execution-follow-ups.service';
import { isDatabaseUnavailable } from '../support/database-unavailable';
import { ItemOutcome, MicroBatcher } from '../batching/micro-batcher';
import { emptyPlanAdvanceSink, PlanAdvanceSink } from '../follow-ups/plan-advancement';
import { recordTerminalOutcomes } from '../store/record-terminal-outcomes';
import { isDataException, OUTPUT_NOT_STORABLE, outputNotStorable } from '../store/refused-outcome';
import { RecordedTransition, TerminalOutcome } from '../store/terminal-outcome';
import { withTransactionRetry } from '../support/transient-database-error';
import { LifecycleAnnouncer } from '../streams/lifecycle-announcer.service';

const MAX_BATCH_SIZE = 500;

/** Told of every group commit: how many outcomes it wrote and how long it took. */
export type GroupCommitObserver = (outcomes: number, seconds: number) => void;

/**
 * Group commit of terminal outcomes: outcomes that arrive while a commit is in flight are
 * written together in the next one. Each caller's promise settles only after its outcome is
 * durable and announced (output stream ended, lifecycle event published), so a job is
 * acknowledged to BullMQ after its commit.
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
    private readonly announcer: LifecycleAnnouncer,
  ) {}

  /** Resolves with the transition if this outcome won it, null if the execution was already terminal. */
  record(outcome: TerminalOutcome): Promise<RecordedTransition | null> {
    return this.batcher.submit(outcome);
  }

  observeCommits(observer: GroupCommitObserver): void {
    this.observers.push(observer);
  }

  // One transaction for the batch. Should it fail for any reason but an unavailable database,
  // each outcome commits alone, so one outcome PostgreSQL refuses fails no other.
  private async commit(
    outcomes: TerminalOutcome[],
  ): Promise<ItemOutcome<RecordedTransition | null>[]> {
    try {
      return await this.commitTogether(outcomes);
    } catch (error) {
      this.logger.error(
        `group commit of ${outcomes.length} outcome(s) failed: ${(error as Error).message}`,
      );
      if (isDatabaseUnavailable(error)) throw error;
      if (outcomes.length === 1) return [await this.recordRefused(outcomes[0], error)];
      const results: ItemOutcome<RecordedTransition | null>[] = [];
      for (const outcome of outcomes) {
        results.push(
          await this.commitTogether([outcome]).then(
            ([result]) => result,
            (failure: unknown) => this.recordRefused(outcome, failure),
          ),
        );
      }
      return results;
    }
  }

  // An outcome whose values PostgreSQL refuses (a data exception) would fail on every retry and
  // call the provider again each time: it is recorded failed without its payload instead.
  private async recordRefused(
    outcome: TerminalOutcome,
    error: unknown,
  ): Promise<ItemOutcome<RecordedTransition | null>> {
    if (!isDataException(error) || outcome.error?.code === OUTPUT_NOT_STORABLE.code) {
      return { ok: false, error };
    }
    this.logger.error(
      `execution ${outcome.executionId}: the database refused its outcome ` +
        `(${(error as Error).message}); recording it failed (${OUTPUT_NOT_STORABLE.code})`,
    );
    const instead = outputNotStorable(outcome);
    try {
      const [result] = await this.commitTogether([instead]);
      return result.ok && result.value
        ? { ok: true, value: { ...result.value, recordedInstead: instead } }
        : result;
    } catch (failure) {
      return { ok: false, error: failure };
    }
  }

  private async commitTogether(
    outcomes: TerminalOutcome[],
  ): Promise<ItemOutcome<RecordedTransition | null>[]> {
    const startedAt = performance.now();
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
    const outcomeById = new Map(outcomes.map((outcome) => [outcome.executionId, outcome]));
    for (const transition of won) {
      const outcome = outcomeById.get(transition.executionId)!;
      this.announcer.ended(transition, outcome.output, outcome.error);
    }
    // Tasks a fail_fast plan cancelled in this commit stop on their workers too.
    await this.aborter.abortAll(cancelled);
    await this.followUps.afterCommit(followUps);
    const byId = new Map(won.map((transition) => [transition.executionId, transition]));
    return outcomes.map((o) => ({ ok: true, value: byId.get(o.executionId) ?? null }));
  }
}
