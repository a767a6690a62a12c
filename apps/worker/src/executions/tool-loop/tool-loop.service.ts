import { Injectable } from '@nestjs/common';
import {
  ACTION_TIMEOUT_LIMITS,
  AgentTool,
  PassedOverModel,
  RequiredAction,
  ResponseFormat,
  ToolCall,
} from '@agentq/database';
import {
  AttemptStream,
  ClaimedExecution,
  ExecutionActions,
  ExecutionApprovals,
  ExecutionStep,
  ExecutionSteps,
  NewModelStep,
  NewToolStep,
} from '@agentq/executions';
import { LlmError, LlmRequest, LlmTool, parseStructuredAnswer, repairMessages } from '@agentq/llm';
import {
  SEARCH_KNOWLEDGE_TOOL,
  searchKnowledgeArguments,
  searchKnowledgeOutput,
} from '@agentq/knowledge';
import { argumentsProblem } from '@agentq/tools';
import {
  computeCostUsd,
  executionLimitBreach,
  ExecutionLimitBreach,
  sumSpend,
} from '@agentq/usage';
import { ExecutionMetrics } from '../../metrics/execution-metrics.service';
import { modelTools } from '../guardrails';
import { routeOutput, RoutedResult } from '../model-chain';
import { KnowledgeRetrieval } from '../../knowledge/knowledge-retrieval.service';
import { HttpToolCaller, ToolCallResult } from './http-tool-caller.service';
import { loopState, PendingToolCall } from './loop-state';

/** How a tool loop's attempt ended. */
export type LoopOutcome =
  /** `json`: the parsed answer, when the execution asks for a response format. */
  | { kind: 'answer'; answer: FinalAnswer; json?: unknown }
  /** The answer, repaired once, still does not meet the response format. */
  | { kind: 'invalid-output'; problem: string }
  | { kind: 'max-steps'; maxSteps: number }
  /** The execution's maxCostUsd or maxTokens stopped it. */
  | { kind: 'limit'; breach: ExecutionLimitBreach }
  | { kind: 'paused'; requiredAction: RequiredAction; deadline: Date }
  /** The execution stopped running meanwhile (cancelled), or another attempt took the step. */
  | { kind: 'ended' };

export interface FinalAnswer {
  text: string;
  finishReason: string | null;
  model: string;
  responseId: string | null;
  providerId?: string;
  fallbackFrom?: PassedOverModel[];
}

/** The request of every model call, less the conversation, which the loop grows. */
export type BaseRequest = Omit<LlmRequest, 'tools'>;

/** One model call through the execution's chain (each call in its client span). */
export type CompleteCall = (request: LlmRequest) => Promise<RoutedResult>;

/**
 * An execution of an agent with tools, one step at a time: a model call, then the tools it asked
 * for (http tools in parallel; client tools pause the execution), then the next model call, until
 * a final answer or `maxSteps` model calls. Every step is committed as it ends and the loop state
 * is rebuilt from committed steps, so any attempt (after a crash, a retry, a pause) carries on.
 */
@Injectable()
export class ToolLoop {
  constructor(
    private readonly steps: ExecutionSteps,
    private readonly actions: ExecutionActions,
    private readonly approvals: ExecutionApprovals,
    private readonly httpTools: HttpToolCaller,
    private readonly metrics: ExecutionMetrics,
    private readonly knowledge: KnowledgeRetrieval,
  ) {}

  async run(
    execution: ClaimedExecution,
    complete: CompleteCall,
    base: BaseRequest,
    stream: AttemptStream,
  ): Promise<LoopOutcome> {
    const { maxSteps } = execution.agent;
    const llmTools = modelTools(execution.agent).map(toLlmTool);
    if (offersKnowledgeTool(execution)) llmTools.push(SEARCH_KNOWLEDGE_TOOL);
    const format = execution.responseFormat;
    let repair: LlmRequest['messages'] = [];
    let committed = await this.steps.load(execution.tenantId, execution.id);
    for (;;) {
      const state = loopState(committed);
      const spend = sumSpend(committed.filter((step) => step.type === 'model'));
      const overLimit = executionLimitBreach(spend, execution.limits, 'after-step');
      const limitReached = executionLimitBreach(spend, execution.limits, 'before-call');
      if (overLimit) {
        return { kind: 'limit', breach: overLimit };
      } else if (state.pending.length > 0) {
        const stopped = await this.runPendingTools(execution, state.pending, base.signal);
        if (stopped) return stopped;
      } else if (state.finalAnswer && !format) {
        return { kind: 'answer', answer: answerOf(state.finalAnswer) };
      } else if (state.finalAnswer && format && repair.length === 0) {
        const checked = checkAnswer(state.finalAnswer, state.answers, format);
        if (checked.kind !== 'repair') return checked;
        stream.reset('repair');
        repair = checked.messages;
      } else if (repair.length === 0 && state.modelCalls >= maxSteps) {
        return { kind: 'max-steps', maxSteps };
      } else if (limitReached) {
        return { kind: 'limit', breach: limitReached };
      } else {
        const recorded = await this.callModel(execution, complete, {
          ...base,
          messages: [...base.messages, ...state.messages, ...repair],
          tools: llmTools,
          responseFormat: format ?? undefined,
          index: state.nextIndex,
        });
        if (!recorded) return { kind: 'ended' };
        repair = [];
      }
      committed = await this.steps.load(execution.tenantId, execution.id);
    }
  }

  // One model call, committed as a step with its usage (a failed call too, without usage).
  private async callModel(
    execution: ClaimedExecution,
    complete: CompleteCall,
    request: LlmRequest & { index: number },
  ): Promise<boolean> {
    const startedAt = new Date();
    const started = performance.now();
    let result: RoutedResult;
    try {
      result = await complete(request);
    } catch (error) {
      if (error instanceof LlmError && error.kind !== 'aborted' && !request.signal.aborted) {
        const failed: NewModelStep = {
          index: request.index,
          name: request.model,
          result: null,
          toolCalls: null,
          finishReason: null,
          promptTokens: 0,
          completionTokens: 0,
          costUsd: '0',
          attempt: execution.attempts,
          durationMs: Math.round(performance.now() - started),
          error: { code: error.code, message: error.message },
          startedAt,
        };
        await this.steps.recordModelStep(execution, failed);
      }
      throw error;
    }
    this.metrics.providerResponded(execution, result.model, started);
    const usage = { promptTokens: result.promptTokens, completionTokens: result.completionTokens };
    // Priced by the provider and model that answered: a fallback's own prices.
    const { costUsd } = computeCostUsd(usage, result.model, result.route.pricing ?? undefined);
    const step: NewModelStep = {
      index: request.index,
      name: result.model,
      result: result.text,
      toolCalls: result.toolCalls,
      finishReason: result.finishReason,
      ...usage,
      costUsd,
      attempt: execution.attempts,
      durationMs: Math.round(performance.now() - started),
      error: null,
      startedAt,
      providerId: result.route.providerId,
      fallbackFrom: result.route.fallbackFrom,
    };
    const recorded = await this.steps.recordModelStep(execution, step);
    if (recorded) this.metrics.usageRecorded(execution, result.model, { ...usage, costUsd });
    return recorded;
  }

  // Runs the http tools among the pending calls in parallel and records them; unknown tools and
  // invalid arguments are recorded as errors the model sees. Client tools left pending pause the
  // execution. Null when the loop goes on.
  private async runPendingTools(
    execution: ClaimedExecution,
    pending: PendingToolCall[],
    signal: AbortSignal,
  ): Promise<LoopOutcome | null> {
    const byName = new Map(modelTools(execution.agent).map((tool) => [tool.name, tool]));
    const isClientCall = ({ call }: PendingToolCall) => {
      const tool = byName.get(call.name);
      return tool?.type === 'client' && argumentsProblem(tool.parameters, call.arguments) === null;
    };
    const clientCalls = pending.filter(isClientCall);
    const awaiting = await this.awaitingApproval(execution, pending, byName);
    const serverCalls = pending.filter(
      (pendingCall) => !isClientCall(pendingCall) && !awaiting.includes(pendingCall),
    );
    // Each call is committed as soon as it returns: a crash repeats only the unfinished ones.
    const live = await Promise.all(
      serverCalls.map(async ({ call, index }) => {
        const startedAt = new Date();
        const result = await this.runServerTool(execution, byName.get(call.name), call, signal);
        const step: NewToolStep = {
          index,
          name: call.name,
          toolCallId: call.id,
          arguments: call.arguments,
          output: result.output,
          attempt: execution.attempts,
          durationMs: result.durationMs,
          error: result.error,
          startedAt,
        };
        const { live } = await this.steps.recordToolSteps(execution, [step]);
        return live;
      }),
    );
    if (live.includes(false)) return { kind: 'ended' };
    const timeoutMs = execution.actionTimeoutMs ?? ACTION_TIMEOUT_LIMITS.defaultMs;
    // Approvals first: client tools of the same step wait for the pause after them.
    if (awaiting.length > 0) {
      const toolCalls = awaiting.map(({ call }) => call);
      const paused = await this.approvals.pause(execution, toolCalls, timeoutMs);
      return paused ? { kind: 'paused', ...paused } : { kind: 'ended' };
    }
    if (clientCalls.length === 0) return null;
    const toolCalls = clientCalls.map(({ call }) => call);
    const deadline = await this.actions.pause(execution, toolCalls, timeoutMs);
    return deadline
      ? { kind: 'paused', requiredAction: { type: 'tool_outputs', toolCalls }, deadline }
      : { kind: 'ended' };
  }

  // Calls of http tools with `approval: "always"` that no person has approved yet (denied ones
  // are already recorded as tool steps, so no longer pending). Reads approvals only when some
  // pending call needs one.
  private async awaitingApproval(
    execution: ClaimedExecution,
    pending: PendingToolCall[],
    byName: Map<string, AgentTool>,
  ): Promise<PendingToolCall[]> {
    const candidates = pending.filter(({ call }) => {
      const tool = byName.get(call.name);
      return (
        tool?.type === 'http' &&
        tool.approval === 'always' &&
        argumentsProblem(tool.parameters, call.arguments) === null
      );
    });
    if (candidates.length === 0) return [];
    const approved = await this.approvals.approvedCalls(execution.tenantId, execution.id);
    return candidates.filter(({ call }) => !approved.has(call.id));
  }

  // The built-in tool: a hybrid search as the agent, within its knowledge config's filters.
  private async searchKnowledge(
    execution: ClaimedExecution,
    call: ToolCall,
  ): Promise<ToolCallResult> {
    const parsed = searchKnowledgeArguments(call.arguments);
    if (!parsed.ok) return notRun('invalid_arguments', parsed.problem);
    const startedAt = performance.now();
    const config = execution.agent.knowledge!;
    const found = await this.knowledge.search({
      tenantId: execution.tenantId,
      agentId: execution.agentId,
      query: parsed.value.query,
      k: parsed.value.k,
      collections: config.collections,
      types: config.types,
      tags: config.tags,
    });
    return {
      output: searchKnowledgeOutput(found),
      error: null,
      durationMs: Math.round(performance.now() - startedAt),
    };
  }

  private runServerTool(
    execution: ClaimedExecution,
    tool: AgentTool | undefined,
    call: ToolCall,
    signal: AbortSignal,
  ): Promise<ToolCallResult> {
    if (!tool && call.name === SEARCH_KNOWLEDGE_TOOL.name && offersKnowledgeTool(execution)) {
      return this.searchKnowledge(execution, call);
    }
    if (!tool) return Promise.resolve(notRun('unknown_tool', `the agent has no tool ${call.name}`));
    const problem = argumentsProblem(tool.parameters, call.arguments);
    if (problem) return Promise.resolve(notRun('invalid_arguments', problem));
    if (tool.type !== 'http') throw new Error(`${tool.type} tool ${tool.name} run by the worker`);
    return this.httpTools.call(tool, call, {
      executionId: execution.id,
      agentId: execution.agentId,
      tenantId: execution.tenantId,
      signal,
    });
  }
}

// Agents with knowledge enabled get `search_knowledge`, unless a tool of theirs has its name.
function offersKnowledgeTool(execution: ClaimedExecution): boolean {
  return (
    execution.agent.knowledge?.enabled === true &&
    !execution.agent.tools.some((tool) => tool.name === SEARCH_KNOWLEDGE_TOOL.name)
  );
}

// The final answer against the response format: parsed, or the repair turn to ask for (the
// answer itself is already in the conversation), or invalid once a repair was made.
function checkAnswer(
  answer: ExecutionStep,
  answers: number,
  format: ResponseFormat,
): LoopOutcome | { kind: 'repair'; messages: LlmRequest['messages'] } {
  const checked = parseStructuredAnswer(answer.result ?? '', format);
  if (checked.ok) return { kind: 'answer', answer: answerOf(answer), json: checked.value };
  if (answers > 1) return { kind: 'invalid-output', problem: checked.problem };
  return {
    kind: 'repair',
    messages: repairMessages(answer.result ?? '', checked.problem, format).filter(
      (message) => message.role === 'user',
    ),
  };
}

// A call the worker refused to make: the model is told why and may try again.
function notRun(code: string, message: string): ToolCallResult {
  return { output: `error: ${message}`, error: { code, message }, durationMs: 0 };
}

function toLlmTool(tool: AgentTool): LlmTool {
  return {
    name: tool.name,
    description: tool.description,
    parameters: tool.parameters as Record<string, unknown>,
  };
}

function answerOf(step: ExecutionStep): FinalAnswer {
  return {
    text: step.result ?? '',
    finishReason: step.finishReason,
    model: step.name,
    responseId: null,
    ...(step.providerId ? routeOutput(step.providerId, step.fallbackFrom ?? []) : {}),
  };
}
