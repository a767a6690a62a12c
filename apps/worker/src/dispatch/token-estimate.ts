import { ChatMessage } from '@agentq/database';

/** Completion tokens assumed when an agent sets no maxTokens; the real usage corrects it. */
export const DEFAULT_COMPLETION_ESTIMATE = 512;

/**
 * Tokens a call may use, for the tokens-per-minute budget before the provider answers: about
 * four characters a token for the prompt, plus the completion the request allows.
 */
export function estimateCallTokens(
  prompt: { systemPrompt?: string | null; messages: Pick<ChatMessage, 'content'>[] },
  maxTokens: number | undefined,
): number {
  const characters =
    (prompt.systemPrompt?.length ?? 0) +
    prompt.messages.reduce((sum, message) => sum + message.content.length, 0);
  return Math.ceil(characters / 4) + (maxTokens ?? DEFAULT_COMPLETION_ESTIMATE);
}
