import { countTokens, isWithinTokenLimit } from 'gpt-tokenizer';

// Text may contain strings such as <|endoftext|>; count them as text instead of throwing.
const AS_PLAIN_TEXT = { disallowedSpecial: new Set<string>() };

/**
 * Tokens of `text` with a real BPE tokenizer (gpt-tokenizer, o200k_base: GPT-4o and later).
 * Other model families tokenize differently; budgets are a bound on prompt growth, not an
 * exact fit to one model's context window.
 */
export function countTextTokens(text: string): number {
  return countTokens(text, AS_PLAIN_TEXT);
}

/** The token count when `text` fits within `limit`, else null; stops tokenizing at the limit. */
export function tokensIfWithin(text: string, limit: number): number | null {
  if (limit <= 0) return text.length === 0 ? 0 : null;
  const count = isWithinTokenLimit(text, limit, AS_PLAIN_TEXT);
  return count === false ? null : count;
}
