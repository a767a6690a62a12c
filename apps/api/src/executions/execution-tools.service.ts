import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@agentq/config';
import { InjectDataSource } from '@nestjs/typeorm';
import { AgentExecution, inTenantTransaction, TERMINAL_STATUSES } from '@agentq/database';
import {
  ApprovalAnswer,
  ApprovalResult,
  ExecutionActions,
  ExecutionApprovals,
  ExecutionStep,
  findExecution,
  listExecutionSteps,
  waitpointUrl,
} from '@agentq/executions';
import { WAITPOINT_TOKEN_PATTERN } from '@agentq/crypto';
import { DataSource } from 'typeorm';
import {
  ConflictError,
  NotFoundError,
  RateLimitedError,
  ValidationFailedError,
} from '../common/api-errors';
import { FailedAuthLimiter } from '../auth/failed-auth-limiter.service';
import {
  CompleteWaitpointDto,
  SubmitApprovalsDto,
  WaitpointCompletedView,
} from './dto/approvals.dto';
import { SubmitToolOutputsDto } from './dto/submit-tool-outputs.dto';
import { ExecutionReader } from './execution-reader.service';

/** The steps of an execution, and the client tool outputs that resume a paused one. */
@Injectable()
export class ExecutionTools {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly actions: ExecutionActions,
    private readonly reader: ExecutionReader,
    private readonly approvals: ExecutionApprovals,
    private readonly limiter: FailedAuthLimiter,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** A waiting execution's link for approvals (for the key holder): the token is derived. */
  approvalUrl(execution: AgentExecution): string | null {
    const waitpointId = execution.requiredAction?.waitpointId;
    if (execution.status !== 'requires_action' || !waitpointId) return null;
    return waitpointUrl(this.config.http.publicUrl, this.approvals.tokenOf(waitpointId));
  }

  async submitApprovals(
    tenantId: string,
    executionId: string,
    body: SubmitApprovalsDto,
  ): Promise<AgentExecution> {
    apiResult(await this.approvals.decide(tenantId, executionId, { decisions: body.decisions }));
    return this.reader.get(tenantId, executionId);
  }

  /**
   * No API key: the token is the capability. A malformed or unknown token counts as a failed
   * authentication from the address (429 past the limit, like API keys), so guessing is slow;
   * it is found by its hash and compared in constant time.
   */
  async completeWaitpoint(
    address: string,
    token: string,
    body: CompleteWaitpointDto,
  ): Promise<WaitpointCompletedView> {
    const blockedFor = this.limiter.blockedForSeconds(address);
    if (blockedFor > 0) throw new RateLimitedError(blockedFor);
    const answer = waitpointAnswer(body);
    const result = WAITPOINT_TOKEN_PATTERN.test(token)
      ? await this.approvals.decideByToken(token, answer)
      : ({ kind: 'not-found' } as const);
    if (result.kind === 'not-found') {
      const blocked = this.limiter.recordFailure(address);
      if (blocked > 0) throw new RateLimitedError(blocked);
      throw new NotFoundError('waitpoint');
    }
    const resumed = apiResult(result);
    return { executionId: resumed.executionId, status: 'queued', decisions: resumed.decisions };
  }

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

function apiResult(result: ApprovalResult) {
  if (result.kind === 'not-found') throw new NotFoundError('execution');
  if (result.kind === 'conflict') throw new ConflictError(result.code, result.message);
  return result;
}

function waitpointAnswer(body: CompleteWaitpointDto): ApprovalAnswer {
  if ((body.approve === undefined) === (body.decisions === undefined)) {
    throw new ValidationFailedError([
      { field: 'approve', message: 'give either approve or decisions' },
    ]);
  }
  return body.decisions
    ? { decisions: body.decisions }
    : { approve: body.approve!, reason: body.reason };
}
