import { setTimeout as sleep } from 'node:timers/promises';
import { classifyProviderError } from './llm-errors';
import { LlmMessage, LlmProviderAdapter, LlmRequest, LlmResult } from './llm-provider.port';
import { countTextTokens } from './token-count';

let responsesSoFar = 0;

/**
 * A deterministic offline provider for local runs and load tests. It is not a model and calls
 * none: it answers `echo: <last user message>` after `latencyMs`, and counts prompt and
 * completion tokens with a real tokenizer (gpt-tokenizer, o200k_base) so that usage and cost
 * accounting behave as they do with a real provider.
 */
export class EchoAdapter implements LlmProviderAdapter {
  constructor(private readonly latencyMs = 0) {}

  async complete(request: LlmRequest): Promise<LlmResult> {
    const { signal } = request;
    try {
      if (this.latencyMs > 0) await sleep(this.latencyMs, undefined, { signal });
      else signal.throwIfAborted();
    } catch (error) {
      throw classifyProviderError(error, signal);
    }
    const text = `echo: ${lastUserMessage(request.messages)}`;
    if (request.onDelta) streamWords(text, request.onDelta);
    responsesSoFar += 1;
    return {
      text,
      promptTokens: promptTokens(request),
      completionTokens: countTextTokens(text),
      finishReason: 'stop',
      model: request.model,
      responseId: `echo-${responsesSoFar}`,
      toolCalls: [],
    };
  }
}

// A delta per word (with the spacing before it), as a model streams tokens; they add up to `text`.
function streamWords(text: string, onDelta: (text: string) => void): void {
  for (const word of text.match(/\s*\S+|\s+$/g) ?? []) onDelta(word);
}

function lastUserMessage(messages: LlmMessage[]): string {
  for (let i = messages.length - 1; i >= 0; i -= 1) {
    if (messages[i].role === 'user') return messages[i].content;
  }
  return '';
}

// Each part is counted on its own, so a long conversation is never concatenated into one string.
function promptTokens({ systemPrompt, messages }: LlmRequest): number {
  let total = countTextTokens(systemPrompt);
  for (const message of messages) total += countTextTokens(message.content);
  return total;
}
