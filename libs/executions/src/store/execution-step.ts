import { ExecutionError, PassedOverModel, ToolCall } from '@agentq/database';

/** What a tool step keeps of a result; the full length is recorded beside it. */
export const STEP_RESULT_MAX_CHARS = 16 * 1024;

/** One model call or one tool call of an execution, as committed. */
export interface ExecutionStep {
  index: number;
  type: 'model' | 'tool';
  /** The model for a model step, the tool's name for a tool step. */
  name: string;
  /** Tool steps: the call's id and arguments. */
  toolCallId: string | null;
  arguments: unknown;
  /** Model steps: the answer's text; tool steps: the output (at most 16 KiB). */
  result: string | null;
  resultLength: number | null;
  /** Model steps: the tool calls the model asked for, in order. */
  toolCalls: ToolCall[] | null;
  /** Model steps: why the model stopped. */
  finishReason: string | null;
  promptTokens: number;
  completionTokens: number;
  /** Decimal string. */
  costUsd: string;
  attempt: number;
  durationMs: number | null;
  error: ExecutionError | null;
  startedAt: Date;
  /** Model steps: the provider that answered (the agent's or a fallback); null before routes. */
  providerId: string | null;
  /** Model steps: fallback chain entries passed over before the one that answered. */
  fallbackFrom: PassedOverModel[] | null;
  /** Copied from the execution this one reruns: not called again, not charged again. */
  reused?: boolean;
}

export type NewModelStep = Omit<
  ExecutionStep,
  'type' | 'toolCallId' | 'arguments' | 'resultLength' | 'providerId' | 'fallbackFrom'
> &
  Partial<Pick<ExecutionStep, 'providerId' | 'fallbackFrom'>>;

export interface NewToolStep {
  index: number;
  name: string;
  toolCallId: string;
  arguments: unknown;
  /** The full output; stored truncated to STEP_RESULT_MAX_CHARS. */
  output: string;
  attempt: number;
  durationMs: number | null;
  error: ExecutionError | null;
  startedAt: Date;
}

export function truncatedResult(output: string): string {
  return output.length > STEP_RESULT_MAX_CHARS ? output.slice(0, STEP_RESULT_MAX_CHARS) : output;
}
