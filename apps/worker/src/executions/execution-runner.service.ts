import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@agentq/config';
import { ExecutionError } from '@agentq/database';
import {
  AttemptStream,
  ClaimedExecution,
  ExecutionClaims,
  ExecutionFinisher,
  TerminalOutcome,
} from '@agentq/executions';
import { LlmAbortReason, LlmProviderAdapter, LlmRequest, LlmResult } from '@agentq/llm';
import { PassedOverModel } from '@agentq/database';
import { Attributes } from '@opentelemetry/api';
import { inSpan, SpanKind } from '@agentq/telemetry';
import { executionLimitBreach } from '@agentq/usage';
import { DispatchDeferral } from '../dispatch/dispatch-deferral';
import { DispatchGate } from '../dispatch/dispatch-gate.service';
import { ExecutionMetrics } from '../metrics/execution-metrics.service';
import { WORKER_ID } from '../worker-identity';
import {
  adapterFailure,
  AttemptFailure,
  classifyAttemptFailure,
  configurationProblem,
} from './attempt-failure';
import { AttemptResult } from './attempt-result';
import { CancellationRegistry } from './cancellation-registry.service';
import { ExecutionPromptBuilder } from './execution-prompt-builder.service';
import { crashIfInjected, stallIfInjected } from './fault-injection';
import {
  callSignal,
  cooledDown,
  fallbackAfterMs,
  fallbackDecision,
  passesOver,
  priceRoutedCalls,
  routeOutput,
  RoutedResult,
} from './model-chain';
import { ChainLink, ProviderAdapters } from './provider-adapters.service';
import { SpendGuard } from './spend-guard.service';
import { modelTools } from './guardrails';
import { Guardrails } from './guardrails.service';
import { completeInFormat } from './structured-answer';
import { BaseRequest, LoopOutcome, ToolLoop } from './tool-loop/tool-loop.service';
import { KnowledgeEmbeddingQueue } from '../knowledge/knowledge-embedding-queue.service';

export interface AttemptContext {
  isLastAttempt: boolean;
  /** The attempt's job token: what its concurrency slot belongs to. */
  attempt: string;
}

/** Runs one attempt of one execution: claim, call the provider, record the outcome. */
@Injectable()
export class ExecutionRunner {
  private readonly logger = new Logger(ExecutionRunner.name);

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly claims: ExecutionClaims,
    private readonly adapters: ProviderAdapters,
    private readonly spendGuard: SpendGuard,
    private readonly prompts: ExecutionPromptBuilder,
    private readonly finisher: ExecutionFinisher,
    private readonly cancellations: CancellationRegistry,
    private readonly metrics: ExecutionMetrics,
    private readonly dispatch: DispatchGate,
    private readonly toolLoop: ToolLoop,
    private readonly guardrails: Guardrails,
    private readonly knowledgeEmbeddings: KnowledgeEmbeddingQueue,
  ) {
    finisher.observeCommits((outcomes, seconds) => metrics.groupCommitted(outcomes, seconds));
  }

  async run(
    executionId: string,
    tenantId: string,
    context: AttemptContext,
  ): Promise<AttemptResult> {
    const execution = await inSpan(
      'claim execution',
      { attributes: { 'agentq.execution.id': executionId, 'agentq.worker.id': WORKER_ID } },
      () => this.claims.claim(executionId, tenantId, WORKER_ID),
    );
    if (!execution) {
      // A debounced execution whose window moved on after its job came due waits for it.
      const debouncedMs = await this.claims.debounceWaitMs(tenantId, executionId);
      if (debouncedMs !== null)
        return { kind: 'deferred', reason: 'debounced', delayMs: debouncedMs };
      return { kind: 'done', outcome: 'already-terminal' };
    }
    const deferral = await this.dispatch.admit(execution, context.attempt);
    if (deferral) return this.deferred(execution, deferral);
    this.metrics.attemptStarted(execution);
    const stream = this.claims.begin(execution);

    const problem = configurationProblem(execution);
    if (problem) return this.fail(execution, problem, null);
    let chain: ChainLink[];
    try {
      chain = await this.adapters.chainFor(execution);
    } catch (error) {
      const failure = adapterFailure(error);
      if (failure) return this.fail(execution, failure, null);
      throw error;
    }

    const controller = this.cancellations.register(execution.id);
    this.dispatch.bindSlot(context.attempt, controller);
    const timeoutMs = execution.timeoutMs ?? this.config.executions.defaultTimeoutMs;
    const timer = setTimeout(() => controller.abort(new LlmAbortReason('timeout')), timeoutMs);
    const startedAt = performance.now();
    try {
      const complete = (call: LlmRequest) => {
        this.dispatch.checkSlot(context.attempt);
        return this.completeRouted(execution, chain, call);
      };
      return await this.callProvider(execution, complete, controller.signal, startedAt, stream);
    } catch (error) {
      const durationMs = Math.round(performance.now() - startedAt);
      const failure = classifyAttemptFailure(error, controller.signal, context.isLastAttempt);
      return this.handleFailure(execution, failure, durationMs);
    } finally {
      clearTimeout(timer);
      this.cancellations.unregister(execution.id);
    }
  }

  private async callProvider(
    execution: ClaimedExecution,
    complete: (call: LlmRequest) => Promise<RoutedResult>,
    signal: AbortSignal,
    startedAt: number,
    stream: AttemptStream,
  ): Promise<AttemptResult> {
    const { llmConfig } = execution.agent;
    // The input guard sees every attempt's input before any model call of it.
    const inputRefused = await this.guardrails.refusal(execution, 'input', execution.input, signal);
    if (inputRefused) return this.fail(execution, inputRefused, null);
    const prompt = await this.prompts.build(execution);
    const request: BaseRequest = {
      model: llmConfig.model,
      ...prompt,
      temperature: llmConfig.temperature,
      maxTokens: llmConfig.maxTokens,
      topP: llmConfig.topP,
      stop: llmConfig.stop,
      signal,
      onDelta: stream.onDelta,
    };
    if (modelTools(execution.agent).length > 0) {
      const outcome = await this.toolLoop.run(execution, complete, request, stream);
      return this.endToolLoop(execution, outcome, startedAt, signal);
    }
    const answer = await completeInFormat(complete, request, execution.responseFormat, stream);
    const { result } = answer;
    this.metrics.providerResponded(execution, result.model, startedAt);
    crashIfInjected(this.config, 'crash-after-provider', execution.id);
    const usage = { promptTokens: answer.promptTokens, completionTokens: answer.completionTokens };
    // A repair call may have been answered by another entry of the chain than the first call.
    const pricing = priceRoutedCalls(answer.calls);
    for (const model of new Set(pricing.unpriced)) {
      this.logger.warn(
        `execution ${execution.id}: no price for model ${model}; cost recorded as 0`,
      );
    }
    // A still-invalid structured answer, or one over the execution's caps, fails the execution;
    // its calls are paid for all the same.
    const invalid = answer.invalidOutput !== undefined;
    if (invalid) {
      this.logger.warn(`execution ${execution.id}: invalid_output ${answer.invalidOutput}`);
    }
    const overLimit = executionLimitBreach(
      { ...usage, costUsd: pricing.costUsd },
      execution.limits,
      'after-step',
    );
    if (overLimit) this.logger.warn(`execution ${execution.id}: ${overLimit.message}`);
    // The output guard has the last word before the answer is stored as succeeded.
    const refused =
      invalid || overLimit
        ? null
        : await this.guardrails.refusal(execution, 'output', result.text, signal);
    const failure =
      overLimit ??
      refused ??
      (invalid
        ? {
            code: 'invalid_output',
            message: `the answer does not match the response format: ${answer.invalidOutput}`,
          }
        : null);
    return this.finish(execution, {
      executionId: execution.id,
      tenantId: execution.tenantId,
      status: failure ? 'failed' : 'succeeded',
      output: failure
        ? null
        : {
            text: result.text,
            finishReason: result.finishReason,
            model: result.model,
            responseId: result.responseId,
            ...(answer.json === undefined ? {} : { json: answer.json }),
            ...routeOutput(result.route.providerId, result.route.fallbackFrom),
          },
      error: failure,
      model: result.model,
      ...usage,
      costUsd: pricing.costUsd,
      durationMs: Math.round(performance.now() - startedAt),
      hasFollowUpFlags: execution.hasFollowUpFlags,
    });
  }

  // One model call through the execution's chain: the agent's provider, then its fallbacks. An
  // entry whose provider is paused past fallbackAfterMs is passed over; a retryable failure
  // moves to the next entry (see fallbackDecision), cooling the provider down for every worker.
  private async completeRouted(
    execution: ClaimedExecution,
    chain: ChainLink[],
    request: LlmRequest,
  ): Promise<RoutedResult> {
    const { llmConfig } = execution.agent;
    const afterMs = fallbackAfterMs(llmConfig);
    const fallbackFrom: PassedOverModel[] = [];
    for (const link of chain) {
      const options = { isLastEntry: link.isLastEntry, fallbackAfterMs: afterMs };
      const entry = { providerId: link.provider.id, model: link.model };
      const pauseLeftMs = link.pauseLeftMs();
      if (passesOver(pauseLeftMs, options)) {
        fallbackFrom.push(cooledDown(entry, pauseLeftMs!));
        continue;
      }
      try {
        const result = await this.complete(
          { ...execution, provider: link.provider },
          link.adapter,
          {
            ...request,
            model: link.model,
            signal: callSignal(request.signal, llmConfig.callTimeoutMs),
          },
        );
        const route = {
          providerId: link.provider.id,
          pricing: link.provider.pricing,
          fallbackFrom,
        };
        return { ...result, route };
      } catch (error) {
        const decision = fallbackDecision(error, request.signal, options);
        if (decision.kind === 'throw') throw error;
        fallbackFrom.push({ ...entry, error: decision.error });
        this.logger.warn(
          `execution ${execution.id}: ${link.model} on provider ${link.provider.id} failed ` +
            `(${decision.error.code}); falling back`,
        );
        if (decision.cooldown) await link.coolDown();
      }
    }
    throw new Error('a model chain ends with an entry that never falls back');
  }

  // One provider call in its GenAI client span, within the budgets (reserved, then settled).
  private async complete(
    execution: ClaimedExecution,
    adapter: LlmProviderAdapter,
    request: LlmRequest,
  ): Promise<LlmResult> {
    const reservation = await this.spendGuard.reserveCall(execution, request);
    let answer: LlmResult | null = null;
    try {
      answer = await inSpan(
        `chat ${request.model}`,
        { kind: SpanKind.CLIENT, attributes: genAiRequestAttributes(execution) },
        async (span) => {
          const call = adapter.complete(request);
          stallIfInjected(this.config, execution.id);
          const result = await call;
          span.setAttributes({
            'gen_ai.response.model': result.model,
            'gen_ai.usage.input_tokens': result.promptTokens,
            'gen_ai.usage.output_tokens': result.completionTokens,
            ...(result.responseId ? { 'gen_ai.response.id': result.responseId } : {}),
            ...(result.finishReason
              ? { 'gen_ai.response.finish_reasons': [result.finishReason] }
              : {}),
          });
          return result;
        },
      );
      return answer;
    } finally {
      await this.spendGuard.settleCall(execution, reservation, answer);
    }
  }

  // A tool loop's usage is already on the row (its committed model steps): the outcome adds none.
  private async endToolLoop(
    execution: ClaimedExecution,
    outcome: LoopOutcome,
    startedAt: number,
    signal: AbortSignal,
  ): Promise<AttemptResult> {
    const durationMs = Math.round(performance.now() - startedAt);
    switch (outcome.kind) {
      case 'ended':
        return { kind: 'done', outcome: 'already-terminal' };
      case 'max-steps':
        return this.fail(
          execution,
          {
            code: 'max_steps_exceeded',
            message: `the model still asked for tools after ${outcome.maxSteps} model calls (maxSteps)`,
          },
          durationMs,
        );
      case 'limit':
        return this.fail(execution, outcome.breach, durationMs);
      case 'invalid-output':
        return this.fail(
          execution,
          {
            code: 'invalid_output',
            message: `the answer does not match the response format: ${outcome.problem}`,
          },
          durationMs,
        );
      case 'paused': {
        const { requiredAction } = outcome;
        const what = requiredAction.type === 'approval' ? 'approval(s)' : 'client tool output(s)';
        this.logger.log(
          `execution ${execution.id}: waiting for ${requiredAction.toolCalls.length} ${what} ` +
            `until ${outcome.deadline.toISOString()}`,
        );
        return { kind: 'done', outcome: 'requires_action' };
      }
      case 'answer': {
        const refused = await this.guardrails.refusal(
          execution,
          'output',
          outcome.answer.text,
          signal,
        );
        if (refused) return this.fail(execution, refused, durationMs);
        return this.finish(execution, {
          executionId: execution.id,
          tenantId: execution.tenantId,
          status: 'succeeded',
          output: {
            ...outcome.answer,
            ...(outcome.json === undefined ? {} : { json: outcome.json }),
          },
          error: null,
          model: outcome.answer.model,
          promptTokens: 0,
          completionTokens: 0,
          costUsd: '0',
          durationMs,
          hasFollowUpFlags: execution.hasFollowUpFlags,
        });
      }
    }
  }

  private async handleFailure(
    execution: ClaimedExecution,
    failure: AttemptFailure,
    durationMs: number,
  ): Promise<AttemptResult> {
    switch (failure.kind) {
      case 'deferred':
        return this.deferred(execution, failure.deferral, 'announced');
      case 'interrupted':
        return this.interrupted(execution);
      case 'slot-lost':
        return this.slotLost(execution);
      case 'cancelled':
        // Recorded, and its stream ended, by whoever cancelled it.
        return { kind: 'done', outcome: 'cancelled' };
      case 'retry': {
        const { error } = failure;
        await this.claims.markRetrying(execution, failure.failure);
        this.metrics.attemptRetried(error.code);
        this.logger.warn(
          `execution ${execution.id}: attempt ${execution.attempts} failed (${error.code}), retrying`,
        );
        return { kind: 'retry', error };
      }
      case 'fail':
        return this.fail(execution, failure.failure, durationMs);
    }
  }

  // The worker is stopping: the row goes back to `queued` and the job back to the queue.
  private async interrupted(execution: ClaimedExecution): Promise<AttemptResult> {
    await this.claims.release(execution);
    this.logger.warn(
      `execution ${execution.id}: provider call interrupted by shutdown; handed back to the queue`,
    );
    return { kind: 'interrupted' };
  }

  // Its slot may be another attempt's now: the call was abandoned and no other is made. The row
  // goes back to `queued` and the job back to the queue, where it waits for a slot again.
  private async slotLost(execution: ClaimedExecution): Promise<AttemptResult> {
    await this.claims.release(execution);
    this.logger.warn(`execution ${execution.id}: concurrency slot lost; handed back to the queue`);
    return { kind: 'interrupted' };
  }

  // Not this attempt's turn yet: back to `queued` without using an attempt.
  private async deferred(
    execution: ClaimedExecution,
    deferral: DispatchDeferral,
    started?: 'announced',
  ): Promise<AttemptResult> {
    // Announced as retrying only once `started` was.
    const reason = { code: deferral.reason, message: deferral.message };
    await this.claims.releaseUnattempted(execution, started && reason);
    return { kind: 'deferred', reason: deferral.reason, delayMs: deferral.delayMs };
  }

  private async fail(
    execution: ClaimedExecution,
    failure: ExecutionError,
    durationMs: number | null,
  ): Promise<AttemptResult> {
    const recorded = await this.finish(execution, {
      executionId: execution.id,
      tenantId: execution.tenantId,
      status: 'failed',
      output: null,
      error: failure,
      model: execution.agent.llmConfig?.model ?? null,
      promptTokens: 0,
      completionTokens: 0,
      costUsd: '0',
      durationMs,
    });
    if (recorded.kind === 'done' && recorded.outcome === 'already-terminal') return recorded;
    this.logger.warn(`execution ${execution.id}: failed (${failure.code}) ${failure.message}`);
    return { kind: 'failed', code: failure.code, message: failure.message };
  }

  private async finish(
    execution: ClaimedExecution,
    outcome: TerminalOutcome,
  ): Promise<AttemptResult> {
    const won = await inSpan(
      'commit execution',
      {
        attributes: {
          'agentq.execution.id': execution.id,
          'agentq.execution.status': outcome.status,
        },
      },
      () => this.finisher.record(outcome),
    );
    if (!won) return { kind: 'done', outcome: 'already-terminal' };
    crashIfInjected(this.config, 'crash-after-commit', execution.id);
    const recorded = won.recordedInstead ?? outcome;
    this.metrics.outcomeRecorded(execution, recorded);
    // A success with follow-ups may have written a knowledge entry (saveOutputAs) or a memory:
    // the tenant's embedding job gives them vectors.
    if (recorded.status === 'succeeded' && execution.hasFollowUpFlags) {
      void this.knowledgeEmbeddings.enqueue(execution.tenantId, `execution-${execution.id}`);
    }
    return { kind: 'done', outcome: recorded.status };
  }
}

// OpenTelemetry GenAI semantic conventions for the provider call, with agentq's ids.
function genAiRequestAttributes(execution: ClaimedExecution): Attributes {
  const { llmConfig } = execution.agent;
  const attributes: Attributes = {
    'gen_ai.operation.name': 'chat',
    // Both names: gen_ai.system, and gen_ai.provider.name that replaces it in newer conventions.
    'gen_ai.system': execution.provider.type,
    'gen_ai.provider.name': execution.provider.type,
    'gen_ai.request.model': llmConfig.model,
    'agentq.execution.id': execution.id,
    'agentq.execution.attempt': execution.attempts,
    'agentq.tenant.id': execution.tenantId,
    'agentq.agent.id': execution.agentId,
    'agentq.provider.id': execution.provider.id,
  };
  if (llmConfig.temperature !== undefined)
    attributes['gen_ai.request.temperature'] = llmConfig.temperature;
  if (llmConfig.maxTokens !== undefined)
    attributes['gen_ai.request.max_tokens'] = llmConfig.maxTokens;
  if (llmConfig.topP !== undefined) attributes['gen_ai.request.top_p'] = llmConfig.topP;
  if (execution.sessionId) attributes['agentq.session.id'] = execution.sessionId;
  const { apiKeyId, user, tags } = execution.attribution;
  // enduser.id is OpenTelemetry's attribute for the end user; tags as a string array.
  if (user) attributes['enduser.id'] = user;
  if (apiKeyId) attributes['agentq.api_key.id'] = apiKeyId;
  if (tags) attributes['agentq.tags'] = tags;
  return attributes;
}
