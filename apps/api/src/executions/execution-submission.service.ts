import { Injectable } from '@nestjs/common';
import {
  attributionOf,
  ExecutionDebouncer,
  ExecutionSubmitter,
  NO_ATTRIBUTION,
  NewExecution,
  QueueFullError,
  QueueUnavailableError,
  SubmissionRefusedError,
  SubmittedExecution,
} from '@agentq/executions';
import {
  ConflictError,
  FieldError,
  NotFoundError,
  QueueFullApiError,
  ServiceUnavailableError,
  ValidationFailedError,
} from '../common/api-errors';
import { SubmitExecutionDto } from './dto/submit-execution.dto';
import { SubmissionBudgets } from './submission-budgets.service';
import { SubmissionRateLimits } from './submission-rate-limits.service';

/** `collapsed`: a debounced submission joined an execution that had not started. */
export type Submission = SubmittedExecution & { collapsed?: boolean };

/** The HTTP side of submitting: checks what a DTO cannot, then hands over to the submitter. */
@Injectable()
export class ExecutionSubmissions {
  constructor(
    private readonly submitter: ExecutionSubmitter,
    private readonly debouncer: ExecutionDebouncer,
    private readonly budgets: SubmissionBudgets,
    private readonly rateLimits: SubmissionRateLimits,
  ) {}

  async submit(
    tenantId: string,
    apiKeyId: string,
    agentId: string,
    body: SubmitExecutionDto,
  ): Promise<Submission> {
    if (body.debounce) return this.submitDebounced(tenantId, apiKeyId, agentId, body);
    const [submission] = await this.submitMany(tenantId, apiKeyId, agentId, [body]);
    return submission;
  }

  private async submitDebounced(
    tenantId: string,
    apiKeyId: string,
    agentId: string,
    body: SubmitExecutionDto,
  ): Promise<Submission> {
    const problems = checkSubmission(body, '');
    if (problems.length > 0) throw new ValidationFailedError(problems);
    await this.budgets.assertWithinBudgets(tenantId, apiKeyId, body.user ? [body.user] : []);
    const execution = newExecution(body, apiKeyId, Date.now());
    const taken = await this.rateLimits.take(tenantId, agentId, [
      execution.attribution ?? NO_ATTRIBUTION,
    ]);
    try {
      return await this.debouncer.submit(tenantId, agentId, execution, body.debounce!);
    } catch (error) {
      await taken.giveBack().catch(() => undefined);
      throw toApiError(error);
    }
  }

  /** One execution built by the caller (a schedule's trigger), with the same error mapping. */
  async submitNew(tenantId: string, agentId: string, execution: NewExecution): Promise<Submission> {
    const [submission] = await this.submitNewMany(tenantId, agentId, [execution]);
    return submission;
  }

  /**
   * A rerun built by the caller (planRerun), within the budgets of the key that asked for it; a
   * plan task's rerun may take the task's place in its plan (ExecutionSubmitter.submitRerun).
   */
  async submitRerun(
    tenantId: string,
    apiKeyId: string,
    agentId: string,
    execution: NewExecution,
  ): Promise<Submission> {
    const user = execution.attribution?.user;
    await this.budgets.assertWithinBudgets(tenantId, apiKeyId, user ? [user] : []);
    try {
      return await this.submitter.submitRerun({ tenantId, agentId, executions: [execution] });
    } catch (error) {
      throw toApiError(error);
    }
  }

  /** Executions built by the caller (a bulk rerun), created all or none, same error mapping. */
  async submitNewMany(
    tenantId: string,
    agentId: string,
    executions: NewExecution[],
  ): Promise<Submission[]> {
    try {
      return await this.submitter.submit({ tenantId, agentId, executions });
    } catch (error) {
      throw toApiError(error);
    }
  }

  async submitMany(
    tenantId: string,
    apiKeyId: string,
    agentId: string,
    bodies: SubmitExecutionDto[],
  ): Promise<Submission[]> {
    const problems = bodies.flatMap((body, index) => [
      ...checkSubmission(body, bodies.length > 1 ? `executions.${index}.` : ''),
      ...(body.debounce
        ? [{ field: `executions.${index}.debounce`, message: 'not accepted in a batch' }]
        : []),
    ]);
    if (problems.length > 0) throw new ValidationFailedError(problems);
    await this.budgets.assertWithinBudgets(
      tenantId,
      apiKeyId,
      bodies.flatMap((body) => (body.user ? [body.user] : [])),
    );
    const now = Date.now();
    const executions = bodies.map((body) => newExecution(body, apiKeyId, now));
    const taken = await this.rateLimits.take(
      tenantId,
      agentId,
      executions.map((execution) => execution.attribution ?? NO_ATTRIBUTION),
    );
    try {
      return await this.submitter.submit({ tenantId, agentId, executions });
    } catch (error) {
      await taken.giveBack().catch(() => undefined);
      throw toApiError(error);
    }
  }
}

function newExecution(body: SubmitExecutionDto, apiKeyId: string, now: number): NewExecution {
  return {
    sessionId: body.sessionId ?? null,
    priority: body.priority ?? 5,
    input: body.input,
    maxAttempts: body.maxAttempts ?? 3,
    timeoutMs: body.timeoutMs ?? null,
    actionTimeoutMs: body.actionTimeoutMs ?? null,
    runAt: body.runAt ? new Date(body.runAt) : body.delayMs ? new Date(now + body.delayMs) : null,
    idempotencyKey: body.idempotencyKey ?? null,
    handoffToAgentId: body.handoffTo ?? null,
    storeOutputAsMemory: body.storeOutputAsMemory ?? false,
    saveOutputAs: body.saveOutputAs ?? null,
    stream: body.stream,
    responseFormat: body.responseFormat,
    attribution: attributionOf(apiKeyId, body),
    maxCostUsd: body.maxCostUsd ?? null,
    maxTokens: body.maxTokens ?? null,
  };
}

function toApiError(error: unknown): unknown {
  if (error instanceof SubmissionRefusedError) {
    switch (error.reason) {
      case 'agent_not_found':
        return new NotFoundError('agent');
      case 'session_not_found':
        return new NotFoundError('session');
      case 'handoff_agent_not_found':
        return new NotFoundError('handoffTo agent');
      default:
        return new ConflictError(error.reason, error.message);
    }
  }
  if (error instanceof QueueUnavailableError) {
    return new ServiceUnavailableError('the job queue (Redis) is unavailable');
  }
  if (error instanceof QueueFullError) return new QueueFullApiError(error.retryAfterSeconds);
  return error;
}

function checkSubmission(body: SubmitExecutionDto, prefix: string): FieldError[] {
  const problems: FieldError[] = [];
  const hasMessage = body.input?.message !== undefined;
  const hasMessages = body.input?.messages !== undefined;
  if (hasMessage === hasMessages) {
    problems.push({
      field: `${prefix}input`,
      message: 'give exactly one of input.message or input.messages',
    });
  }
  if (body.runAt !== undefined && body.delayMs !== undefined) {
    problems.push({ field: `${prefix}runAt`, message: 'give runAt or delayMs, not both' });
  }
  if (body.debounce) {
    for (const field of ['runAt', 'delayMs', 'idempotencyKey'] as const) {
      if (body[field] !== undefined) {
        problems.push({
          field: `${prefix}${field}`,
          message: 'not with debounce: the debounce decides when it runs and which it is',
        });
      }
    }
  }
  return problems;
}
