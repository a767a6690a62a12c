import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import {
  recordTerminalOutcomes,
  RecordedTransition,
  TerminalOutcome,
  withTransactionRetry,
} from '@agentq/executions';
import { DataSource } from 'typeorm';
import { ExecutionMetrics } from '../metrics/execution-metrics.service';
import {
  CommittedFollowUps,
  ExecutionFollowUps,
  NO_FOLLOW_UPS,
} from './execution-follow-ups.service';

interface PendingOutcome {
  outcome: TerminalOutcome;
  resolve: (transition: RecordedTransition | null) => void;
  reject: (error: unknown) => void;
}

const MAX_BATCH_SIZE = 500;

/**
 * Group commit: terminal outcomes that arrive while a commit is in flight are written together
 * in the next one. Each caller's promise settles only after its outcome is durable, so a job is
 * acknowledged to BullMQ after its commit. At low load a batch is a single outcome.
 */
@Injectable()
export class CompletionBatcher {
  private readonly logger = new Logger(CompletionBatcher.name);
  private pending: PendingOutcome[] = [];
  private flushing: Promise<void> | null = null;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly metrics: ExecutionMetrics,
    private readonly followUps: ExecutionFollowUps,
  ) {}

  /** Resolves with the transition if this outcome won it, null if the execution was already terminal. */
  record(outcome: TerminalOutcome): Promise<RecordedTransition | null> {
    return new Promise((resolve, reject) => {
      this.pending.push({ outcome, resolve, reject });
      this.flushing ??= new Promise<void>((done) => setImmediate(done)).then(() => this.drain());
    });
  }

  private async drain(): Promise<void> {
    while (this.pending.length > 0) {
      const batch = this.pending.splice(0, MAX_BATCH_SIZE);
      await this.commit(batch);
    }
    this.flushing = null;
  }

  private async commit(batch: PendingOutcome[]): Promise<void> {
    const startedAt = performance.now();
    try {
      const outcomes = batch.map((item) => item.outcome);
      const plan = await this.followUps.plan(outcomes);
      const { won, followUps } = await withTransactionRetry(async () => {
        if (!this.followUps.needsTransaction(plan)) {
          const won = await recordTerminalOutcomes(this.dataSource.manager, outcomes);
          return { won, followUps: NO_FOLLOW_UPS };
        }
        // Follow-ups (memories, handoffs) commit with the transitions, only for those that won.
        return this.dataSource.transaction(async (manager) => {
          const won = await recordTerminalOutcomes(manager, outcomes);
          const followUps: CommittedFollowUps = await this.followUps.apply(manager, won, plan);
          return { won, followUps };
        });
      });
      this.metrics.groupCommitted(batch.length, (performance.now() - startedAt) / 1_000);
      await this.followUps.afterCommit(followUps);
      const byId = new Map(won.map((transition) => [transition.executionId, transition]));
      for (const item of batch) item.resolve(byId.get(item.outcome.executionId) ?? null);
    } catch (error) {
      this.logger.error(
        `group commit of ${batch.length} outcome(s) failed: ${(error as Error).message}`,
      );
      for (const item of batch) item.reject(error);
    }
  }
}
