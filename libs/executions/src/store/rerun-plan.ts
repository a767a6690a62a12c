import {
  AgentExecution,
  AgentTool,
  ExecutionInput,
  LlmConfig,
  TERMINAL_STATUSES,
} from '@agentq/database';
import { ExecutionStep } from './execution-step';
import { NewExecution } from './submission-store';

export interface RerunOptions {
  /** 0 (the default) runs from scratch; k copies steps 0..k-1 and runs from step k. */
  fromStep?: number;
  input?: ExecutionInput;
  llmConfig?: LlmConfig;
  tools?: AgentTool[];
  /** The key that asked for the rerun: the rerun is its spend (user, tags, metadata are kept). */
  apiKeyId?: string | null;
}

export type RerunPlan =
  | { ok: true; execution: NewExecution }
  | { ok: false; status: 'conflict' | 'invalid'; code: string; field?: string; message: string };

/**
 * The execution that reruns `source`, or why it cannot: only an execution that has ended is
 * rerun, and from a step where a model call starts (a model step's index, or the end of the
 * recorded steps), so the copied history is whole turns. The rerun keeps the source's settings
 * (priority, attempts, timeouts, caps, output format) and starts no follow-ups of its own (no
 * handoff, no memory, no session), so rerunning does not repeat what the first run set off. It
 * keeps the source's end user, tags and metadata; its API key is the one that asked for it.
 */
export function planRerun(
  source: AgentExecution,
  steps: readonly ExecutionStep[],
  options: RerunOptions,
): RerunPlan {
  if (!TERMINAL_STATUSES.includes(source.status)) {
    return {
      ok: false,
      status: 'conflict',
      code: 'not_terminal',
      message: `the execution is ${source.status}; only an ended execution is rerun`,
    };
  }
  const fromStep = options.fromStep ?? 0;
  const end = steps.reduce((next, step) => Math.max(next, step.index + 1), 0);
  const startsModelCall =
    fromStep === 0 ||
    fromStep === end ||
    steps.some((step) => step.index === fromStep && step.type === 'model');
  if (fromStep > end || !startsModelCall) {
    return {
      ok: false,
      status: 'invalid',
      code: 'validation_failed',
      field: 'fromStep',
      message:
        fromStep > end
          ? `the execution recorded ${end} step(s)`
          : 'must be the index of a model step, or the number of recorded steps',
    };
  }
  return {
    ok: true,
    execution: {
      sessionId: null,
      priority: source.priority,
      input: options.input ?? source.input,
      maxAttempts: source.maxAttempts,
      timeoutMs: source.timeoutMs,
      actionTimeoutMs: source.actionTimeoutMs,
      runAt: null,
      idempotencyKey: null,
      handoffToAgentId: null,
      storeOutputAsMemory: false,
      stream: source.stream,
      responseFormat: source.responseFormat ?? undefined,
      maxCostUsd: source.maxCostUsd,
      maxTokens: source.maxTokens,
      attribution: {
        apiKeyId: options.apiKeyId ?? null,
        user: source.endUser,
        tags: source.tags,
        metadata: source.metadata,
      },
      rerun: {
        executionId: source.id,
        fromStep,
        llmConfig: options.llmConfig ?? source.llmConfigOverride ?? undefined,
        tools: options.tools ?? source.toolsOverride ?? undefined,
      },
    },
  };
}
