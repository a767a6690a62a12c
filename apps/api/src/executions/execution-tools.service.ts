import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { AgentExecution, inTenantTransaction, TERMINAL_STATUSES } from '@agentq/database';
import {
  ExecutionActions,
  ExecutionStep,
  findExecution,
  listExecutionSteps,
} from '@agentq/executions';
import { DataSource } from 'typeorm';
import { ConflictError, NotFoundError } from '../common/api-errors';
import { SubmitToolOutputsDto } from './dto/submit-tool-outputs.dto';
import { ExecutionReader } from './execution-reader.service';

/** The steps of an execution, and the client tool outputs that resume a paused one. */
@Injectable()
export class ExecutionTools {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly actions: ExecutionActions,
    private readonly reader: ExecutionReader,
  ) {}

  /**
   * Recorded steps; an execution of an agent without tools records none (its one model call is
   * the row itself), so its step is derived from the row once it has ended.
   */
  steps(tenantId: string, executionId: string): Promise<ExecutionStep[]> {
    return inTenantTransaction(this.dataSource, tenantId, async (manager) => {
      const execution = await findExecution(manager, tenantId, executionId);
      if (!execution) throw new NotFoundError('execution');
      const steps = await listExecutionSteps(manager, executionId);
      if (steps.length > 0) return steps;
      const single = singleModelStep(execution);
      return single ? [single] : [];
    });
  }

  async submitToolOutputs(
    tenantId: string,
    executionId: string,
    body: SubmitToolOutputsDto,
  ): Promise<AgentExecution> {
    const outputs = body.outputs.map(({ toolCallId, output }) => ({
      toolCallId,
      output: typeof output === 'string' ? output : JSON.stringify(output),
    }));
    const result = await this.actions.submitToolOutputs(tenantId, executionId, outputs);
    if (result.kind === 'not-found') throw new NotFoundError('execution');
    if (result.kind === 'conflict') throw new ConflictError(result.code, result.message);
    return this.reader.get(tenantId, executionId);
  }
}

function singleModelStep(execution: AgentExecution): ExecutionStep | null {
  if (!TERMINAL_STATUSES.includes(execution.status) || !execution.startedAt) return null;
  if (!execution.output && execution.promptTokens + execution.completionTokens === 0) return null;
  return {
    index: 0,
    type: 'model',
    name: execution.output?.model ?? execution.model ?? '',
    toolCallId: null,
    arguments: null,
    result: execution.output?.text ?? null,
    resultLength: execution.output?.text.length ?? null,
    toolCalls: [],
    finishReason: execution.output?.finishReason ?? null,
    promptTokens: execution.promptTokens,
    completionTokens: execution.completionTokens,
    costUsd: execution.costUsd,
    attempt: execution.attempts,
    durationMs: execution.durationMs,
    error: execution.output ? null : execution.error,
    startedAt: execution.startedAt,
    providerId: execution.output?.providerId ?? null,
    fallbackFrom: execution.output?.fallbackFrom ?? null,
  };
}
