import { ResponseFormat } from '@agentq/database';
import { AttemptStream } from '@agentq/executions';
import { LlmRequest, LlmResult, parseStructuredAnswer, repairMessages } from '@agentq/llm';

/** A model's final answer, over every call it took; usage counts all of them. */
export interface ModelAnswer<R extends LlmResult = LlmResult> {
  /** The last call's result. */
  result: R;
  /** Every call made, in order (two with a repair): each is priced by its own model. */
  calls: R[];
  promptTokens: number;
  completionTokens: number;
  /** The parsed answer, when a response format was asked for and met. */
  json?: unknown;
  /** Why the answer, repaired once, still does not meet the response format. */
  invalidOutput?: string;
}

/**
 * One model call; with a response format, the answer is parsed and validated, and an invalid
 * one gets exactly one repair call with the validation errors fed back. Streamed deltas of the
 * rejected answer are withdrawn with a `reset` before the repair streams.
 */
export async function completeInFormat<R extends LlmResult>(
  complete: (request: LlmRequest) => Promise<R>,
  request: LlmRequest,
  format: ResponseFormat | null,
  stream: AttemptStream,
): Promise<ModelAnswer<R>> {
  const first = await complete({ ...request, responseFormat: format ?? undefined });
  if (!format) return answerOf([first]);
  const checked = parseStructuredAnswer(first.text, format);
  if (checked.ok) return { ...answerOf([first]), json: checked.value };

  stream.reset('repair');
  const repaired = await complete({
    ...request,
    responseFormat: format,
    messages: [...request.messages, ...repairMessages(first.text, checked.problem, format)],
  });
  const rechecked = parseStructuredAnswer(repaired.text, format);
  return rechecked.ok
    ? { ...answerOf([first, repaired]), json: rechecked.value }
    : { ...answerOf([first, repaired]), invalidOutput: rechecked.problem };
}

function answerOf<R extends LlmResult>(results: R[]): ModelAnswer<R> {
  return {
    result: results[results.length - 1],
    calls: results,
    promptTokens: results.reduce((sum, result) => sum + result.promptTokens, 0),
    completionTokens: results.reduce((sum, result) => sum + result.completionTokens, 0),
  };
}
