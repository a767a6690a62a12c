import { ToolCall } from '@agentq/database';
import { ExecutionStep } from '@agentq/executions';
import { LlmMessage } from '@agentq/llm';

export interface PendingToolCall {
  call: ToolCall;
  /** The step index its tool step takes: fixed by the model step, whoever records it. */
  index: number;
}

/** Where a tool loop stands, rebuilt from its committed steps alone. */
export interface LoopState {
  /** The turns after the prompt: each answer that asked for tools, then the tools' outputs. */
  messages: LlmMessage[];
  /** Model calls that answered (failed calls are recorded but not counted). */
  modelCalls: number;
  /** The index the next model step takes. */
  nextIndex: number;
  /** Tool calls of the last model step that have no committed tool step yet. */
  pending: PendingToolCall[];
  /** The last model step when it was the final answer (recorded, then the worker stopped). */
  finalAnswer: ExecutionStep | null;
  /** Model steps that answered without asking for tools (more than one after a repair). */
  answers: number;
}

/**
 * Rebuilds the conversation from committed steps, so an attempt that follows a crash, a retry
 * or a pause for client tools carries on where the last one stopped. A tool step's index is the
 * model step's index + 1 + the call's position: the same whoever runs it.
 */
export function loopState(steps: readonly ExecutionStep[]): LoopState {
  const toolSteps = new Map(
    steps.filter((step) => step.type === 'tool').map((step) => [step.toolCallId, step]),
  );
  const modelSteps = steps.filter((step) => step.type === 'model' && !step.error);
  const messages: LlmMessage[] = [];
  let pending: PendingToolCall[] = [];
  let finalAnswer: ExecutionStep | null = null;
  let answers = 0;
  let nextIndex = steps.reduce((next, step) => Math.max(next, step.index + 1), 0);
  for (const model of modelSteps) {
    const calls = model.toolCalls ?? [];
    nextIndex = Math.max(nextIndex, model.index + 1 + calls.length);
    if (calls.length === 0) {
      finalAnswer = model;
      answers += 1;
      messages.push({ role: 'assistant', content: model.result ?? '' });
      continue;
    }
    finalAnswer = null;
    messages.push({ role: 'assistant', content: model.result ?? '', toolCalls: calls });
    pending = [];
    calls.forEach((call, position) => {
      const done = toolSteps.get(call.id);
      if (!done) {
        pending.push({ call, index: model.index + 1 + position });
        return;
      }
      messages.push({
        role: 'tool',
        toolCallId: call.id,
        name: call.name,
        content: done.result ?? '',
        isError: done.error !== null,
      });
    });
  }
  return { messages, modelCalls: modelSteps.length, nextIndex, pending, finalAnswer, answers };
}
