import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { ExecutionError, MAINTENANCE_DATA_SOURCE } from '@agentq/database';
import { DataSource } from 'typeorm';
import { recordActionTimeouts } from '../store/action-timeouts';
import { ExecutionAborter } from '../lifecycle/execution-aborter.service';
import { ExecutionProducer } from '../lifecycle/execution-producer.service';
import { queuedExecution } from '../lifecycle/queued-execution';
import { LifecycleAnnouncer } from '../streams/lifecycle-announcer.service';
import { emptyPlanAdvanceSink } from '../follow-ups/plan-advancement';
import { recordTerminalOutcomes } from '../store/record-terminal-outcomes';
import { TerminalOutcome } from '../store/terminal-outcome';
import { withTransactionRetry } from '../support/transient-database-error';

// `queued` rows old enough that their job must exist by now, oldest first, after a cursor.
const QUEUED_CANDIDATES_SQL = `
-- queued_at as text keeps its microseconds for the cursor (a batch shares one timestamp).
SELECT id, tenant_id, agent_id, priority, run_at, attempts, max_attempts,
       queued_at::text AS queued_at
  FROM agent_executions
 WHERE status = 'queued'
   AND queued_at < now() - make_interval(secs => $1::double precision / 1000)
   AND (queued_at, id) > ($2::timestamptz, $3::uuid)
 ORDER BY queued_at, id
 LIMIT $4`;

// `running` rows past their own timeout plus the margin: their worker should be long done.
const OVERDUE_RUNNING_SQL = `
SELECT id, tenant_id, agent_id, priority, run_at, attempts, max_attempts, model
  FROM agent_executions
 WHERE status = 'running'
   AND started_at < now() - make_interval(
         secs => (COALESCE(timeout_ms, $1) + $2)::double precision / 1000)
 ORDER BY started_at
 LIMIT $3`;

// Back to `queued` for another attempt, unless someone claimed it again meanwhile.
const REQUEUE_ABANDONED_SQL = `
UPDATE agent_executions SET status = 'queued', error = $3
 WHERE id = $1 AND status = 'running' AND attempts = $2`;

// The subset of ids still `queued` (re-read after a scan: one may have run since).
const STILL_QUEUED_SQL = `SELECT id FROM agent_executions WHERE id = ANY($1::uuid[]) AND status = 'queued'`;

// Executions waiting for client tool outputs past their deadline, oldest deadline first.
const EXPIRED_ACTIONS_SQL = `
SELECT id, tenant_id, agent_id, priority, run_at, attempts, max_attempts, model
  FROM agent_executions
 WHERE status = 'requires_action' AND action_deadline < now()
 ORDER BY action_deadline
 LIMIT $1`;

/** An execution as recovery sees it: enough to enqueue it again or end it. */
export interface RecoverableExecution {
  id: string;
  tenant_id: string;
  agent_id: string;
  priority: number;
  run_at: Date | null;
  attempts: number;
  max_attempts: number;
}

export interface QueuedCandidate extends RecoverableExecution {
  /** queued_at as PostgreSQL's text, microseconds kept: the scan's cursor. */
  queued_at: string;
}

export interface StalledExecution extends RecoverableExecution {
  model: string | null;
}

/**
 * The recovery use cases of the execution lifecycle, cross-tenant on the maintenance role: the
 * reconciler decides what to do (from Redis' view of the jobs) and asks for it here; each
 * transition is made once, conditionally, and publishes its lifecycle event.
 */
@Injectable()
export class ExecutionRecovery {
  constructor(
    @InjectDataSource(MAINTENANCE_DATA_SOURCE) private readonly dataSource: DataSource,
    private readonly announcer: LifecycleAnnouncer,
    private readonly aborter: ExecutionAborter,
    private readonly producer: ExecutionProducer,
  ) {}

  /** Up to `limit` rows `queued` for longer than `graceMs`, after `cursor` (queued_at, id). */
  queuedLongerThan(
    graceMs: number,
    cursor: { queuedAt: string; id: string },
    limit: number,
  ): Promise<QueuedCandidate[]> {
    return this.dataSource.query(QUEUED_CANDIDATES_SQL, [
      graceMs,
      cursor.queuedAt,
      cursor.id,
      limit,
    ]);
  }

  /** Which of `ids` are still `queued`. */
  async stillQueued(ids: readonly string[]): Promise<Set<string>> {
    const rows: { id: string }[] = await this.dataSource.query(STILL_QUEUED_SQL, [ids]);
    return new Set(rows.map((row) => row.id));
  }

  /** Up to `limit` rows `running` past their timeout (or `defaultTimeoutMs`) plus `marginMs`. */
  overdueRunning(
    defaultTimeoutMs: number,
    marginMs: number,
    limit: number,
  ): Promise<StalledExecution[]> {
    return this.dataSource.query(OVERDUE_RUNNING_SQL, [defaultTimeoutMs, marginMs, limit]);
  }

  /** Up to `limit` rows waiting for tool outputs past their deadline. */
  expiredActions(limit: number): Promise<StalledExecution[]> {
    return this.dataSource.query(EXPIRED_ACTIONS_SQL, [limit]);
  }

  /**
   * An abandoned attempt goes back to `queued`, `retrying` is published and its job is added
   * again; false if the execution had moved on (claimed again, ended).
   */
  async requeueAbandoned(
    row: StalledExecution,
    error: ExecutionError,
    jobFinished: boolean,
  ): Promise<boolean> {
    const [, moved] = await this.dataSource.query(REQUEUE_ABANDONED_SQL, [
      row.id,
      row.attempts,
      JSON.stringify({ ...error, retryable: true }),
    ]);
    if (moved === 0) return false;
    this.announcer.retrying(subjectOf(row), error);
    await this.enqueueAgain([{ row, jobFinished }]);
    return true;
  }

  /**
   * Adds the jobs of `queued` rows again, in one addBulk (after Redis lost its data a page can
   * hold a thousand). A finished job with the same id must go first, or `add` is a no-op.
   */
  async enqueueAgain(
    rows: readonly { row: RecoverableExecution; jobFinished: boolean }[],
  ): Promise<void> {
    for (const { row, jobFinished } of rows) {
      if (jobFinished) await this.producer.removeIfNotActive(row.id);
    }
    await this.producer.enqueue(rows.map(({ row }) => requeued(row)));
  }

  /** An abandoned execution with no attempt left ends `failed`; false if it had ended. */
  async failAbandoned(row: StalledExecution, error: ExecutionError): Promise<boolean> {
    return this.fail(row, error, recordTerminalOutcomes);
  }

  /**
   * An execution still waiting for tool outputs past its deadline ends `failed`; the usage of
   * its steps is already on the row. False if outputs came or it ended meanwhile.
   */
  async expireAction(row: StalledExecution, error: ExecutionError): Promise<boolean> {
    return this.fail(row, error, recordActionTimeouts);
  }

  // Through the terminal UPDATE, so rollups stay exact. A plan task failed here may fail its
  // plan (fail_fast): the tasks that cancelled are stopped. The next tasks it made ready are
  // committed `queued`; the reconciler's next pass enqueues them.
  private async fail(
    row: StalledExecution,
    error: ExecutionError,
    record: typeof recordTerminalOutcomes,
  ): Promise<boolean> {
    const outcome: TerminalOutcome = {
      executionId: row.id,
      tenantId: row.tenant_id,
      status: 'failed',
      output: null,
      error,
      model: row.model,
      promptTokens: 0,
      completionTokens: 0,
      costUsd: '0',
      durationMs: null,
    };
    const { won, cancelled } = await withTransactionRetry(async () => {
      const planSink = emptyPlanAdvanceSink();
      const won = await record(this.dataSource.manager, [outcome], planSink);
      return { won, cancelled: planSink.cancelled };
    });
    await this.aborter.abortAll(cancelled);
    if (won.length === 0) return false;
    this.announcer.ended(won[0], null, error);
    return true;
  }
}

function requeued(row: RecoverableExecution) {
  return queuedExecution(
    {
      id: row.id,
      tenantId: row.tenant_id,
      agentId: row.agent_id,
      priority: row.priority,
      runAt: row.run_at && new Date(row.run_at),
      attempts: row.attempts,
      maxAttempts: row.max_attempts,
    },
    false,
  );
}

function subjectOf(row: RecoverableExecution) {
  return { id: row.id, tenantId: row.tenant_id, agentId: row.agent_id, attempts: row.attempts };
}
