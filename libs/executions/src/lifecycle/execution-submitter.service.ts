import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { APP_CONFIG, AppConfig } from '@agentq/config';
import { AgentExecution, inTenantTransaction, setTransactionTenant } from '@agentq/database';
import { lockTaskOfExecution, rerunsInPlan, rerunTask } from '@agentq/plans';
import { formatDuration } from '@agentq/logging';
import { activeTraceparent } from '@agentq/telemetry';
import { DataSource, EntityManager } from 'typeorm';
import { ExecutionProducer } from './execution-producer.service';
import { groupSorted } from '../batching/group-sorted';
import { advancePlans, emptyPlanAdvanceSink } from '../follow-ups/plan-advancement';
import { ItemOutcome, MicroBatcher } from '../batching/micro-batcher';
import { outcomesWithoutQueue, submissionJobs } from './submission-jobs';
import { queuedExecution } from './queued-execution';
import {
  insertSubmissions,
  SubmissionRequest,
  SubmittedExecution,
} from '../store/submission-store';

/** More executions wait in the queue than the configured limit: shed, nothing written. */
export class QueueFullError extends Error {
  constructor(
    readonly waiting: number,
    readonly retryAfterSeconds: number,
  ) {
    super(
      `the queue holds ${waiting} waiting executions; retry in ${formatDuration(retryAfterSeconds * 1_000)}`,
    );
    this.name = QueueFullError.name;
  }
}

// Rows one coalesced write inserts at most (a batch call of 1,000 still goes whole).
const MAX_ROWS_PER_WRITE = 1_000;

// How stale the queue-depth reading behind load shedding may be.
const QUEUE_DEPTH_MAX_AGE_MS = 250;

/**
 * Creates executions and enqueues their jobs. Submissions that arrive while a write is in
 * flight join the next one: one transaction with one INSERT … RETURNING per tenant, one
 * `addBulk`, the `queued` events. Rows are committed before their jobs exist, so a worker never
 * picks up an id it cannot see. If the enqueue fails, rows without an idempotency key are
 * deleted again and their submissions fail; rows with one stay `queued` (a repeat may already
 * have been answered with them) and the reconciler adds their jobs.
 */
@Injectable()
export class ExecutionSubmitter {
  private readonly logger = new Logger(ExecutionSubmitter.name);
  private readonly batcher: MicroBatcher<SubmissionRequest, SubmittedExecution[]>;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly producer: ExecutionProducer,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.batcher = new MicroBatcher((requests) => this.write(requests), {
      maxBatchSize: MAX_ROWS_PER_WRITE,
      sizeOf: (request) => request.executions.length,
      // A deadlock between two writes (idempotency keys in opposite orders) fails that write
      // as a whole, and insert() then retries its submissions one by one.
      maxConcurrentFlushes: 2,
    });
  }

  /**
   * Writes a plan (`write`, in the tenant's transaction) and, when it is new, creates its ready
   * tasks' executions in the same transaction; they are enqueued after the commit (if that
   * fails, the rows are committed `queued` and the reconciler enqueues them). Returns the
   * plan's id.
   */
  async submitPlan(
    tenantId: string,
    write: (manager: EntityManager) => Promise<{ id: string; created: boolean }>,
  ): Promise<string> {
    const sink = emptyPlanAdvanceSink();
    const id = await inTenantTransaction(this.dataSource, tenantId, async (manager) => {
      const plan = await write(manager);
      if (plan.created) await advancePlans(manager, [plan.id], sink, async () => undefined);
      return plan.id;
    });
    try {
      await this.producer.enqueue(sink.jobs);
    } catch (error) {
      this.logger.error(
        `plan ${id}: could not enqueue its first tasks: ${(error as Error).message}`,
      );
    }
    return id;
  }

  /**
   * Submits a rerun (`request` holds one execution with `rerun` set). The rerun of a failed or
   * cancelled task of a running plan takes the task's place, in one transaction with the plan
   * locked: the task points at it, the dependents its failure skipped are pending again, and the
   * plan moves on when it ends. Any other rerun is submitted like any execution.
   */
  async submitRerun(request: SubmissionRequest): Promise<SubmittedExecution> {
    const sourceId = request.executions[0].rerun!.executionId;
    await this.producer.assertConnected();
    const sink = emptyPlanAdvanceSink();
    const inPlan = await inTenantTransaction(this.dataSource, request.tenantId, async (manager) => {
      const task = await lockTaskOfExecution(manager, sourceId);
      if (!task || !rerunsInPlan(task.plan.status, task.status)) return null;
      const [outcome] = await insertSubmissions(manager, [request]);
      if (!outcome.ok) throw outcome.error;
      const [submitted] = outcome.value;
      await rerunTask(manager, task.plan.id, task.key, submitted.execution.id);
      await advancePlans(manager, [task.plan.id], sink, async () => undefined);
      return submitted;
    });
    if (!inPlan) return (await this.submit(request))[0];
    const job = queuedExecution(inPlan.execution, true, Date.now(), activeTraceparent());
    try {
      await this.producer.enqueue([job, ...sink.jobs]);
    } catch (error) {
      // Committed `queued`: the reconciler adds the job.
      this.logger.error(
        `execution ${inPlan.execution.id} (a plan task's rerun): could not enqueue: ${(error as Error).message}`,
      );
    }
    return inPlan;
  }

  submit(request: SubmissionRequest): Promise<SubmittedExecution[]> {
    // Captured now: the coalesced write runs in whichever caller's context started it.
    return this.batcher.submit({ ...request, traceparent: activeTraceparent() });
  }

  private async write(requests: SubmissionRequest[]): Promise<ItemOutcome<SubmittedExecution[]>[]> {
    await this.producer.assertConnected();
    await this.shedIfFull();
    const outcomes = await this.insert(requests);
    const { created, jobs } = submissionJobs(
      outcomes,
      requests.map((request) => request.traceparent),
      Date.now(),
    );
    try {
      await this.producer.enqueue(jobs);
    } catch (error) {
      const withdrawn = await this.withdrawUnstarted(
        created.filter((execution) => execution.idempotencyKey === null),
      );
      return outcomesWithoutQueue(outcomes, error, withdrawn);
    }
    return outcomes;
  }

  private async shedIfFull(): Promise<void> {
    const limit = this.config.submissions.maxWaitingJobs;
    const waiting = await this.producer.waitingJobs(QUEUE_DEPTH_MAX_AGE_MS);
    if (waiting >= limit) {
      throw new QueueFullError(waiting, this.config.submissions.retryAfterSeconds);
    }
  }

  // One transaction, tenants in a fixed order. Should it fail as a whole (a reference deleted
  // under it, say), each submission is tried alone so one bad request fails only itself.
  private async insert(
    requests: SubmissionRequest[],
  ): Promise<ItemOutcome<SubmittedExecution[]>[]> {
    const groups = groupSorted(
      requests.map((request, index) => ({ request, index })),
      (entry) => entry.request.tenantId,
    );
    try {
      return await this.dataSource.transaction(async (manager) => {
        const outcomes: ItemOutcome<SubmittedExecution[]>[] = new Array(requests.length);
        for (const [tenantId, entries] of groups) {
          await setTransactionTenant(manager, tenantId);
          const results = await insertSubmissions(
            manager,
            entries.map((entry) => entry.request),
          );
          entries.forEach((entry, n) => (outcomes[entry.index] = results[n]));
        }
        return outcomes;
      });
    } catch (error) {
      if (requests.length === 1) throw error;
      return Promise.all(
        requests.map((request) =>
          inTenantTransaction(this.dataSource, request.tenantId, (manager) =>
            insertSubmissions(manager, [request]),
          ).then(
            ([outcome]) => outcome,
            (failure: unknown) => ({ ok: false as const, error: failure }),
          ),
        ),
      );
    }
  }

  // Deletes the rows of a failed enqueue, per tenant all or none, and returns the ids deleted.
  // The timed-out addBulk is not cancelled and may still land: a tenant's rows stay (and their
  // submissions stand) once one of them has started, since then the jobs did reach the queue.
  private async withdrawUnstarted(executions: AgentExecution[]): Promise<Set<string>> {
    const withdrawn = new Set<string>();
    for (const [tenantId, group] of groupSorted(executions, (e) => e.tenantId)) {
      const ids = group.map((e) => e.id);
      await inTenantTransaction(this.dataSource, tenantId, async (manager) => {
        const deleted: { id: string }[] = await manager.query(WITHDRAW_UNSTARTED_SQL, [ids]);
        if (deleted.length < ids.length) throw new JobsLandedLate();
        for (const row of deleted) withdrawn.add(row.id);
      }).catch((error: unknown) => {
        if (!(error instanceof JobsLandedLate)) throw error;
        for (const id of ids) withdrawn.delete(id);
      });
    }
    return withdrawn;
  }
}

const WITHDRAW_UNSTARTED_SQL = `
DELETE FROM agent_executions
 WHERE id = ANY($1::uuid[]) AND status = 'queued' AND attempts = 0
RETURNING id`;

// Rolls a withdrawal back: a row of it had started, so its jobs were added after all.
class JobsLandedLate extends Error {}
