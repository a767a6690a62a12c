import { InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@agentq/config';
import { ExecutionRecovery, QueuedCandidate, StalledExecution } from '@agentq/executions';
import { JobQueue, QUEUES, ReconcileExecutionsJobResult, RUN_EXECUTION_JOB } from '@agentq/jobs';
import { inspectJobs, JobPresence } from './job-presence';
import { jobIsGone, overdueRunningChoice } from './reconciler-choices';
import { ReconcilerMetrics } from './reconciler-metrics';

const PAGE_SIZE = 1_000;
// Queued rows checked per run at most; the scan resumes where it stopped on the next run.
const MAX_QUEUED_PAGES = 20;

const WORKER_LOST = {
  code: 'worker_lost',
  message: 'the worker running this execution stopped (no live job lock past the timeout)',
};

const ACTION_TIMEOUT = {
  code: 'action_timeout',
  message: 'no tool outputs were posted before the action deadline (actionTimeoutMs)',
};

/**
 * Makes Redis agree with PostgreSQL, the source of truth. It decides from Redis' view of the
 * jobs; the lib (ExecutionRecovery) makes each transition and adds the jobs:
 * - a `queued` execution whose job is missing (crash between insert and enqueue, Redis lost
 *   data) or already finished in Redis (so `add` would be a no-op) is enqueued again;
 * - a `running` execution past its timeout whose job has no live lock was abandoned by its
 *   worker: with attempts left it goes back to `queued` and is enqueued, otherwise it ends
 *   `failed` through the same conditional UPDATE as every terminal outcome, so rollups stay exact.
 * Enqueuing is idempotent (job id = execution id); every action is logged with the execution id.
 */
@Injectable()
export class ExecutionReconciler {
  private readonly logger = new Logger(ExecutionReconciler.name);
  // Where the scan of queued rows resumes; per process, reset whenever a pass reaches the end.
  private queuedCursor: { queuedAt: string; id: string } | null = null;

  constructor(
    @InjectQueue(QUEUES.executions)
    private readonly executions: JobQueue<typeof RUN_EXECUTION_JOB>,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly recovery: ExecutionRecovery,
    private readonly metrics: ReconcilerMetrics,
  ) {}

  async reconcile(): Promise<ReconcileExecutionsJobResult> {
    const requeued = await this.requeueOrphanedQueued();
    const { retried, failed } = await this.endAbandonedRunning();
    const actionTimeouts = await this.failExpiredActions();
    return { requeued, retried, failed, actionTimeouts };
  }

  // Executions in `requires_action` past their deadline end `failed` (action_timeout) through
  // the terminal UPDATE like any other outcome: the usage of their steps is already on the row.
  private async failExpiredActions(): Promise<number> {
    const rows = await this.recovery.expiredActions(PAGE_SIZE);
    let failed = 0;
    for (const row of rows) {
      if (!(await this.recovery.expireAction(row, ACTION_TIMEOUT))) continue;
      failed += 1;
      this.metrics.count('action_timeout');
      this.logger.warn(
        `execution ${row.id}: no tool outputs before its deadline; failed (action_timeout)`,
      );
    }
    return failed;
  }

  private async requeueOrphanedQueued(): Promise<number> {
    let requeued = 0;
    for (let page = 0; page < MAX_QUEUED_PAGES; page += 1) {
      const cursor = this.queuedCursor ?? { queuedAt: '-infinity', id: NIL_UUID };
      const rows = await this.recovery.queuedLongerThan(
        this.config.reconciler.queuedGraceMs,
        cursor,
        PAGE_SIZE,
      );
      requeued += await this.requeueIfOrphaned(rows);
      // A short page is the end: the next pass starts over, so rows behind the cursor are seen
      // again even while newer ones keep passing the grace period.
      const last = rows.at(-1);
      const atEnd = rows.length < PAGE_SIZE;
      this.queuedCursor = atEnd || !last ? null : { queuedAt: last.queued_at, id: last.id };
      if (atEnd) break;
    }
    return requeued;
  }

  private async requeueIfOrphaned(rows: QueuedCandidate[]): Promise<number> {
    const presence = await inspectJobs(
      this.executions,
      rows.map((row) => row.id),
    );
    const orphans = rows.filter((row) => jobIsGone(presence.get(row.id)));
    if (orphans.length === 0) return 0;
    // Re-read: an execution may have run and ended since the scan (and its job been removed).
    const ids = await this.recovery.stillQueued(orphans.map((row) => row.id));
    const requeue = orphans
      .filter((candidate) => ids.has(candidate.id))
      .map((row) => ({ row, state: presence.get(row.id)! }));
    await this.recovery.enqueueAgain(
      requeue.map(({ row, state }) => ({ row, jobFinished: state === 'finished' })),
    );
    for (const { row, state } of requeue) {
      this.metrics.count('requeued');
      this.logger.warn(
        `execution ${row.id}: queued but its job was ${state} in Redis; enqueued it again`,
      );
    }
    return requeue.length;
  }

  private async endAbandonedRunning(): Promise<{ retried: number; failed: number }> {
    const { executions, reconciler } = this.config;
    const rows = await this.recovery.overdueRunning(
      executions.defaultTimeoutMs,
      reconciler.runningMarginMs,
      PAGE_SIZE,
    );
    const presence = await inspectJobs(
      this.executions,
      rows.map((row) => row.id),
    );
    let retried = 0;
    let failed = 0;
    for (const row of rows) {
      const state = presence.get(row.id)!;
      const choice = overdueRunningChoice(state, row.attempts, row.max_attempts);
      if (choice === 'requeue' && (await this.retryAbandoned(row, state))) retried += 1;
      if (choice === 'fail' && (await this.failAbandoned(row))) failed += 1;
    }
    return { retried, failed };
  }

  private async retryAbandoned(row: StalledExecution, state: JobPresence): Promise<boolean> {
    if (!(await this.recovery.requeueAbandoned(row, WORKER_LOST, state === 'finished'))) {
      return false;
    }
    this.metrics.count('retried');
    this.logger.warn(
      `execution ${row.id}: running past its timeout with no live job lock (job ${state}); ` +
        `attempt ${row.attempts} of ${row.max_attempts} abandoned, queued again`,
    );
    return true;
  }

  private async failAbandoned(row: StalledExecution): Promise<boolean> {
    if (!(await this.recovery.failAbandoned(row, WORKER_LOST))) return false;
    this.metrics.count('failed');
    this.logger.warn(
      `execution ${row.id}: running past its timeout with no live job lock and no attempt ` +
        `left (${row.attempts} of ${row.max_attempts}); failed (${WORKER_LOST.code})`,
    );
    return true;
  }
}

const NIL_UUID = '00000000-0000-0000-0000-000000000000';
