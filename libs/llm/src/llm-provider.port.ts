import { ChatMessage, ProviderType, ResponseFormat } from '@agentq/database';

/** One completion request, already shaped by agentq (system prompt built, input mapped). */
export interface LlmRequest {
  model: string;
  systemPrompt: string;
  messages: ChatMessage[];
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
