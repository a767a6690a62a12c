import { ChatMessage, ProviderType, ResponseFormat, ToolCall } from '@agentq/database';

/** A tool the model may call, described in JSON Schema. */
export interface LlmTool {
  name: string;
  description: string;
  parameters: Record<string, unknown>;
}

/** An assistant turn that asked for tools (its text, often empty, and the calls). */
export interface AssistantToolCallsMessage {
  role: 'assistant';
  content: string;
  toolCalls: ToolCall[];
}

/** A tool's output fed back to the model, answering the call `toolCallId`. */
export interface ToolResultMessage {
  role: 'tool';
  toolCallId: string;
  name: string;
  content: string;
  isError: boolean;
}

export type LlmMessage = ChatMessage | AssistantToolCallsMessage | ToolResultMessage;

export function hasToolCalls(message: LlmMessage): message is AssistantToolCallsMessage {
  return 'toolCalls' in message;
}

/** One completion request, already shaped by agentq (system prompt built, input mapped). */
export interface LlmRequest {
  model: string;
  systemPrompt: string;
  messages: LlmMessage[];
  /** Tools the model may call; none when absent or empty. */
  tools?: LlmTool[];
  temperature?: number;
  maxTokens?: number;
  topP?: number;
  stop?: string[];
  /** Aborted by the caller on timeout or cancel, with an `LlmAbortReason` saying which. */
  signal: AbortSignal;
  /**
   * When given, the adapter streams from the provider and calls this with each text delta, in
   * order; the result is the same as the non-streamed call's.
   */
  onDelta?: (text: string) => void;
  /** Ask for JSON matching this schema, in the provider's native structured-output mode. */
  responseFormat?: ResponseFormat;
}

export interface LlmResult {
  text: string;
  promptTokens: number;
  completionTokens: number;
  finishReason: string | null;
  /** The model the provider says answered, often a dated variant of the requested one. */
  model: string;
  responseId: string | null;
  /** The tools the model asked to call, in order; empty for a final answer. */
  toolCalls: ToolCall[];
}

/** A provider behind one interface. `complete` rejects only with an `LlmError`. */
export interface LlmProviderAdapter {
  complete(request: LlmRequest): Promise<LlmResult>;
}

/** What an adapter needs from a provider row, with the API key already decrypted. */
export interface ProviderConnection {
  type: ProviderType;
  apiKey: string | null;
  baseUrl: string | null;
  settings: Record<string, unknown>;
}
