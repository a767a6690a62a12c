import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { AgentExecution, inTenantTransaction, TERMINAL_STATUSES } from '@agentq/database';
import {
  filteredExecutions,
  findExecution,
  listExecutionSteps,
  NewExecution,
  planRerun,
} from '@agentq/executions';
import { taskExecutionsRerunInPlan } from '@agentq/plans';
import { DataSource } from 'typeorm';
import { AgentsService } from '../agents/agents.service';
import { AgentToolsService } from '../agents/agent-tools.service';
import { llmConfigSchema } from '../agents/llm-config.schema';
import {
  ApiError,
  ConflictError,
  NotFoundError,
  ValidationFailedError,
} from '../common/api-errors';
import { RerunExecutionDto } from './dto/rerun-execution.dto';
import { BULK_RERUN_MAX, BulkRerunDto, BulkRerunView } from './dto/bulk-rerun.dto';
import { ExecutionSubmissions, Submission } from './execution-submission.service';
import { SubmissionBudgets } from './submission-budgets.service';

/** POST /v1/executions/:id/rerun: a new execution of the same agent, linked by `rerunOf`. */
@Injectable()
export class ExecutionReruns {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly submissions: ExecutionSubmissions,
    private readonly agents: AgentsService,
    private readonly tools: AgentToolsService,
    private readonly budgets: SubmissionBudgets,
  ) {}

  async rerun(
    tenantId: string,
    apiKeyId: string,
    executionId: string,
    body: RerunExecutionDto,
  ): Promise<Submission> {
    const { source, steps } = await inTenantTransaction(
      this.dataSource,
      tenantId,
      async (manager) => {
        const found = await findExecution(manager, tenantId, executionId);
        if (!found) throw new NotFoundError('execution');
        return { source: found, steps: await listExecutionSteps(manager, executionId) };
      },
    );
    const llmConfig = body.llmConfig ? llmConfigSchema.parse(body.llmConfig) : undefined;
    if (llmConfig) await this.agents.checkFallbacks(tenantId, llmConfig);
    const tools = body.tools
      ? await this.tools.sealed(tenantId, source.agentId, body.tools)
      : undefined;
    const plan = planRerun(source, steps, {
      fromStep: body.fromStep,
      input: body.input,
      llmConfig,
      tools,
      apiKeyId,
    });
    if (!plan.ok) {
      if (plan.status === 'conflict') throw new ConflictError(plan.code, plan.message);
      throw new ValidationFailedError([{ field: plan.field!, message: plan.message }]);
    }
    return this.submissions.submitRerun(tenantId, apiKeyId, source.agentId, plan.execution);
  }

  /**
   * Reruns from scratch the ended executions that match, oldest first, at most `limit` (10,000)
   * per call. They are submitted like any others, 1,000 per statement, and paced by the queue
   * (priority, per-agent concurrency, tenant fairness, provider rate limits) like any others.
   * A dry run only counts. An agent no longer active gets no reruns (its executions are skipped).
   * A failed or cancelled task of a plan still running is rerun inside its plan, one at a time.
   */
  async bulk(tenantId: string, apiKeyId: string, body: BulkRerunDto): Promise<BulkRerunView> {
    const limit = body.limit ?? BULK_RERUN_MAX;
    const sources: AgentExecution[] = await inTenantTransaction(
      this.dataSource,
      tenantId,
      (manager) =>
        filteredExecutions(manager, tenantId, {
          agentId: body.agentId,
          status: body.status,
          statuses: TERMINAL_STATUSES,
          errorCode: body.errorCode,
          from: body.from,
          to: body.to,
          tags: body.tag,
        })
          .orderBy('e.created_at', 'ASC')
          .addOrderBy('e.id', 'ASC')
          .limit(limit + 1)
          .getMany(),
    );
    const more = sources.length > limit;
    const chosen = sources.slice(0, limit);
    const view = { matched: chosen.length, more, created: 0, dryRun: body.dryRun ?? false };
    if (view.dryRun) return view;
    const users = new Set(chosen.flatMap((source) => (source.endUser ? [source.endUser] : [])));
    await this.budgets.assertWithinBudgets(tenantId, apiKeyId, [...users]);
    const inPlans = new Set(
      await inTenantTransaction(this.dataSource, tenantId, (manager) =>
        taskExecutionsRerunInPlan(
          manager,
          chosen.map((source) => source.id),
        ),
      ),
    );
    const byAgent = new Map<string, NewExecution[]>();
    for (const source of chosen) {
      const plan = planRerun(source, [], { apiKeyId });
      if (!plan.ok) continue;
      if (inPlans.has(source.id)) {
        const submitted = await skipInactiveAgent(() =>
          this.submissions.submitRerun(tenantId, apiKeyId, source.agentId, plan.execution),
        );
        view.created += submitted ? 1 : 0;
        continue;
      }
      byAgent.set(source.agentId, [...(byAgent.get(source.agentId) ?? []), plan.execution]);
    }
    for (const [agentId, executions] of byAgent) {
      for (let start = 0; start < executions.length; start += BULK_RERUN_CHUNK) {
        const chunk = executions.slice(start, start + BULK_RERUN_CHUNK);
        const submitted = await skipInactiveAgent(() =>
          this.submissions.submitNewMany(tenantId, agentId, chunk),
        );
        if (!submitted) break;
        view.created += submitted.length;
      }
    }
    return view;
  }
}

// An agent paused, archived or deleted since the executions matched: they are not rerun (null).
async function skipInactiveAgent<T>(submit: () => Promise<T>): Promise<T | null> {
  try {
    return await submit();
  } catch (error) {
    if (error instanceof ApiError && (error.status === 404 || error.status === 409)) return null;
    throw error;
  }
}

const BULK_RERUN_CHUNK = 1_000;
