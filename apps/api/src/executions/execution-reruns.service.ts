import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { inTenantTransaction } from '@agentq/database';
import { findExecution, listExecutionSteps, planRerun } from '@agentq/executions';
import { DataSource } from 'typeorm';
import { AgentsService } from '../agents/agents.service';
import { AgentToolsService } from '../agents/agent-tools.service';
import { llmConfigSchema } from '../agents/llm-config.schema';
import { ConflictError, NotFoundError, ValidationFailedError } from '../common/api-errors';
import { RerunExecutionDto } from './dto/rerun-execution.dto';
import { ExecutionSubmissions, Submission } from './execution-submission.service';

/** POST /v1/executions/:id/rerun: a new execution of the same agent, linked by `rerunOf`. */
@Injectable()
export class ExecutionReruns {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly submissions: ExecutionSubmissions,
    private readonly agents: AgentsService,
    private readonly tools: AgentToolsService,
  ) {}

  async rerun(tenantId: string, executionId: string, body: RerunExecutionDto): Promise<Submission> {
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
    });
    if (!plan.ok) {
      if (plan.status === 'conflict') throw new ConflictError(plan.code, plan.message);
      throw new ValidationFailedError([{ field: plan.field!, message: plan.message }]);
    }
    return this.submissions.submitNew(tenantId, source.agentId, plan.execution);
  }
}
