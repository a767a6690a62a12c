import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { inTenantTransaction } from '@agentq/database';
import { attributionOf, ExecutionSubmitter, planExecutionReads } from '@agentq/executions';
import {
  cancelPlan,
  insertPlan,
  PlanDetails,
  PlanRefusedError,
  readPlanIdsNewestFirst,
  readPlans,
  TaskSpec,
  validatePlanGraph,
} from '@agentq/plans';
import { DataSource, EntityManager } from 'typeorm';
import {
  ApiError,
  ConflictError,
  NotFoundError,
  UnprocessableError,
  ValidationFailedError,
} from '../common/api-errors';
import { Page } from '../common/newest-first-page';
import { newestFirstPageFrom } from '../common/raw-page';
import { ExecutionCancellation } from '../executions/execution-cancellation.service';
import { SubmissionBudgets } from '../executions/submission-budgets.service';
import { CreatePlanDto } from './dto/create-plan.dto';
import { ListPlansQuery } from './dto/list-plans.query';

@Injectable()
export class PlansService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly submitter: ExecutionSubmitter,
    private readonly cancellation: ExecutionCancellation,
    private readonly budgets: SubmissionBudgets,
  ) {}

  /**
   * Validates the graph, checks every agent, capability and the project in the tenant, writes
   * the plan and creates its root tasks' executions in one transaction; enqueues after commit.
   */
  async create(tenantId: string, apiKeyId: string, body: CreatePlanDto): Promise<PlanDetails> {
    const tasks = body.tasks.map((task, n) => toTaskSpec(task, n));
    refuseOnPlanError(() => validatePlanGraph(tasks));
    await this.budgets.assertWithinBudgets(tenantId, apiKeyId, body.user ? [body.user] : []);
    const id = await this.submitter.submitPlan(tenantId, async (manager) => {
      await this.checkReferences(manager, body.projectId ?? null, tasks);
      return insertPlan(manager, {
        tenantId,
        projectId: body.projectId ?? null,
        title: body.title,
        description: body.description ?? null,
        input: body.input ?? {},
        failurePolicy: body.failurePolicy ?? 'fail_fast',
        idempotencyKey: body.idempotencyKey ?? null,
        tasks,
        attribution: attributionOf(apiKeyId, body),
      });
    });
    return this.get(tenantId, id);
  }

  async get(tenantId: string, id: string): Promise<PlanDetails> {
    const [plan] = await inTenantTransaction(this.dataSource, tenantId, (manager) =>
      readPlans(manager, [id], planExecutionReads),
    );
    if (!plan) throw new NotFoundError('plan');
    return plan;
  }

  async list(tenantId: string, query: ListPlansQuery): Promise<Page<PlanDetails>> {
    return inTenantTransaction(this.dataSource, tenantId, async (manager) => {
      const filter = { projectId: query.projectId ?? null, status: query.status ?? null };
      const page = await newestFirstPageFrom(
        (after, limit) => readPlanIdsNewestFirst(manager, filter, after, limit),
        query,
      ).catch((error: unknown) => {
        if (error instanceof ApiError) throw error;
        throw new ValidationFailedError([
          { field: 'cursor', message: 'not a cursor of this list' },
        ]);
      });
      const plans = await readPlans(
        manager,
        page.data.map((row) => row.id),
        planExecutionReads,
      );
      return { data: plans, nextCursor: page.nextCursor };
    });
  }

  /** Ends the plan `cancelled`: pending tasks are skipped, queued and running ones cancelled. */
  async cancel(tenantId: string, id: string): Promise<PlanDetails> {
    const cancellation = await inTenantTransaction(this.dataSource, tenantId, (manager) =>
      cancelPlan(manager, id),
    );
    if (cancellation.kind === 'not_found') throw new NotFoundError('plan');
    if (cancellation.kind === 'already_ended') {
      throw new ConflictError('already_terminal', `the plan already ended: ${cancellation.status}`);
    }
    // After the plan is cancelled no task starts; each active one is cancelled as any execution.
    for (const executionId of cancellation.activeExecutionIds) {
      await this.cancellation.cancel(tenantId, executionId).catch((error: unknown) => {
        if (!(error instanceof ConflictError)) throw error;
      });
    }
    return this.get(tenantId, id);
  }

  private async checkReferences(
    manager: EntityManager,
    projectId: string | null,
    tasks: TaskSpec[],
  ): Promise<void> {
    if (projectId) {
      const found: unknown[] = await manager.query(`SELECT 1 FROM projects WHERE id = $1`, [
        projectId,
      ]);
      if (found.length === 0) {
        throw new UnprocessableError('project_not_found', `project ${projectId} not found`, [
          { field: 'projectId', message: `project ${projectId} not found` },
        ]);
      }
    }
    const agentIds = [...new Set(tasks.flatMap((t) => (t.agentId ? [t.agentId] : [])))];
    if (agentIds.length > 0) {
      const rows: { id: string }[] = await manager.query(
        `SELECT id FROM agents WHERE id = ANY($1::uuid[])`,
        [agentIds],
      );
      const known = new Set(rows.map((row) => row.id));
      const missing = agentIds.find((agentId) => !known.has(agentId));
      if (missing) {
        const index = tasks.findIndex((t) => t.agentId === missing);
        throw new UnprocessableError('agent_not_found', `agent ${missing} not found`, [
          { field: `tasks.${index}.agentId`, message: `agent ${missing} not found` },
        ]);
      }
    }
    const capabilities = [
      ...new Set(tasks.flatMap((t) => (!t.agentId && t.capability ? [t.capability] : []))),
    ];
    if (capabilities.length > 0) {
      const rows: { capability: string }[] = await manager.query(
        `SELECT c AS capability FROM unnest($1::text[]) AS c
          WHERE NOT EXISTS (SELECT 1 FROM agents a
                             WHERE a.status = 'active' AND a.capabilities @> ARRAY[c])`,
        [capabilities],
      );
      if (rows.length > 0) {
        const capability = rows[0].capability;
        const index = tasks.findIndex((t) => !t.agentId && t.capability === capability);
        throw new UnprocessableError(
          'no_agent_for_capability',
          `no active agent has the capability "${capability}"`,
          [{ field: `tasks.${index}.capability`, message: `no active agent has "${capability}"` }],
        );
      }
    }
  }
}

function toTaskSpec(task: CreatePlanDto['tasks'][number], index: number): TaskSpec {
  const hasMessage = task.input.message !== undefined;
  const hasMessages = task.input.messages !== undefined;
  if (hasMessage === hasMessages) {
    throw new ValidationFailedError([
      { field: `tasks.${index}.input`, message: 'give exactly one of message or messages' },
    ]);
  }
  if (!task.agentId === !task.capability) {
    throw new ValidationFailedError([
      { field: `tasks.${index}.agentId`, message: 'give exactly one of agentId or capability' },
    ]);
  }
  return {
    key: task.key,
    title: task.title ?? null,
    agentId: task.agentId ?? null,
    capability: task.capability ?? null,
    input: hasMessage
      ? { message: task.input.message! }
      : { messages: task.input.messages!.map((m) => ({ role: m.role, content: m.content })) },
    dependsOn: task.dependsOn ?? [],
    priority: task.priority,
    maxAttempts: task.maxAttempts,
    timeoutMs: task.timeoutMs ?? null,
    saveOutputAs: task.saveOutputAs ?? null,
  };
}

function refuseOnPlanError(check: () => unknown): void {
  try {
    check();
  } catch (error) {
    if (!(error instanceof PlanRefusedError)) throw error;
    throw new UnprocessableError(error.code, error.message, [
      { field: 'tasks', message: error.message },
    ]);
  }
}
