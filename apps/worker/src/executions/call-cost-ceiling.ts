import { LlmRequest } from '@agentq/llm';
import { ModelPricing } from '@agentq/database';
import { computeCostUsd } from '@agentq/usage';

/**
 * Completion tokens a budget reserves for a call with no maxTokens. Above Anthropic's default
 * (1,024, which agentq sends), but OpenAI models without maxTokens may answer longer: the
 * budget's bound holds only as far as this ceiling does (docs/operations.md).
 */
export const UNCAPPED_COMPLETION_TOKENS = 4_096;

// Role markers and separators a chat format adds around each message.
const FRAMING_TOKENS_PER_MESSAGE = 8;

type PromptParts = Pick<LlmRequest, 'systemPrompt' | 'messages' | 'tools' | 'responseFormat'>;

/**
 * An upper bound of the prompt tokens a provider can count for this request: byte-level BPE
 * tokenizers make no token smaller than one byte, so the UTF-8 size of everything sent bounds it.
 */
export function maxPromptTokens(request: PromptParts): number {
  const sent = JSON.stringify([
    request.systemPrompt,
    request.messages,
    request.tools ?? [],
    request.responseFormat ?? null,
  ]);
  return (
    Buffer.byteLength(sent, 'utf8') + FRAMING_TOKENS_PER_MESSAGE * (request.messages.length + 1)
  );
}

/** The most one call can cost, as the price table prices it (USD, a decimal string). */
export function callCostCeilingUsd(
  request: PromptParts & Pick<LlmRequest, 'model' | 'maxTokens'>,
  pricing: ModelPricing | null,
): string {
  const usage = {
    promptTokens: maxPromptTokens(request),
    completionTokens: request.maxTokens ?? UNCAPPED_COMPLETION_TOKENS,
  };
  return computeCostUsd(usage, request.model, pricing).costUsd;
}
