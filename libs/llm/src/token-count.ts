import type * as GptTokenizer from 'gpt-tokenizer';

// Text may contain strings such as <|endoftext|>; count them as text instead of throwing.
const AS_PLAIN_TEXT = { disallowedSpecial: new Set<string>() };

// Loaded on first use: building its encoding tables is about a tenth of the API's start-up CPU,
// and the API tokenizes only when a knowledge entry is written.
let loaded: typeof GptTokenizer | undefined;
// eslint-disable-next-line @typescript-eslint/no-require-imports -- a lazy load has no import form
const tokenizer = () => (loaded ??= require('gpt-tokenizer') as typeof GptTokenizer);

/**
 * Tokens of `text` with a real BPE tokenizer (gpt-tokenizer, o200k_base: GPT-4o and later).
 * Other model families tokenize differently; budgets are a bound on prompt growth, not an
 * exact fit to one model's context window.
 */
export function countTextTokens(text: string): number {
  return tokenizer().countTokens(text, AS_PLAIN_TEXT);
}

/** The token count when `text` fits within `limit`, else null; stops tokenizing at the limit. */
export function tokensIfWithin(text: string, limit: number): number | null {
  if (limit <= 0) return text.length === 0 ? 0 : null;
  const count = tokenizer().isWithinTokenLimit(text, limit, AS_PLAIN_TEXT);
  return count === false ? null : count;
}

export function encodeText(text: string): number[] {
  return tokenizer().encode(text, AS_PLAIN_TEXT);
}

export function decodeTokens(tokens: readonly number[]): string {
  return tokenizer().decode(tokens);
}
