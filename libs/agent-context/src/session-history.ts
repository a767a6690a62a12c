import { ChatMessage, ExecutionInput, ExecutionOutput } from '@agentq/database';
import { tokensIfWithin } from '@agentq/llm';

/** One earlier, succeeded execution of a session. */
export interface SessionTurn {
  input: ExecutionInput;
  output: ExecutionOutput | null;
}

// Per-message overhead of chat formatting (role markers), in tokens.
const MESSAGE_OVERHEAD_TOKENS = 4;

/** A turn as chat messages: its input (message or messages), then the answer. */
export function turnMessages(turn: SessionTurn): ChatMessage[] {
  const input = turn.input ?? {};
  const asked: ChatMessage[] = input.messages?.length
    ? input.messages.map(({ role, content }) => ({ role, content }))
    : typeof input.message === 'string'
      ? [{ role: 'user', content: input.message }]
      : [];
  const answer = typeof turn.output?.text === 'string' ? turn.output.text : null;
  if (asked.length === 0 || answer === null) return [];
  return [...asked, { role: 'assistant', content: answer }];
}

/**
 * The chat history for a new execution: the session's earlier turns (given newest first), as
 * many whole turns as fit in `budgetTokens`, newest kept, returned oldest first.
 */
export function buildSessionHistory(
  turnsNewestFirst: readonly SessionTurn[],
  budgetTokens: number,
): ChatMessage[] {
  const kept: ChatMessage[][] = [];
  let left = budgetTokens;
  for (const turn of turnsNewestFirst) {
    const messages = turnMessages(turn);
    if (messages.length === 0) continue;
    let cost = 0;
    for (const message of messages) {
      const tokens = tokensIfWithin(message.content, left - cost - MESSAGE_OVERHEAD_TOKENS);
      if (tokens === null) return kept.reverse().flat();
      cost += tokens + MESSAGE_OVERHEAD_TOKENS;
    }
    kept.push(messages);
    left -= cost;
  }
  return kept.reverse().flat();
}

/** The text to rank memories against: the last user message of the input. */
export function inputText(input: ExecutionInput): string {
  if (input.messages?.length) {
    for (let i = input.messages.length - 1; i >= 0; i -= 1) {
      if (input.messages[i].role === 'user') return input.messages[i].content;
    }
    return input.messages[input.messages.length - 1].content;
  }
  return input.message ?? '';
}
