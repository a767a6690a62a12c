import { decodeTokens, encodeText } from '@agentq/llm';

export interface ChunkingOptions {
  /** Tokens per chunk at most. */
  maxTokens: number;
  /** Tokens a chunk repeats from the end of the previous one, so a sentence cut in two is whole in one. */
  overlapTokens: number;
}

/** 256-token chunks overlapping by 32: small enough to match one idea, big enough to quote. */
export const DEFAULT_CHUNKING: ChunkingOptions = { maxTokens: 256, overlapTokens: 32 };

export interface TextChunk {
  ordinal: number;
  content: string;
  /** Where the chunk starts in the whole text's tokens. */
  startToken: number;
  tokenCount: number;
}

/**
 * Splits `text` into windows of at most `maxTokens` tokens (o200k_base, gpt-tokenizer), each
 * starting `overlapTokens` before the previous one ended. A window's end moves back to the last
 * token that starts a line or a sentence in its second half, when there is one, so chunks end on
 * a boundary instead of mid-word.
 */
export function chunkText(text: string, options: ChunkingOptions = DEFAULT_CHUNKING): TextChunk[] {
  const { maxTokens, overlapTokens } = options;
  if (maxTokens < 1 || overlapTokens < 0 || overlapTokens >= maxTokens) {
    throw new RangeError('chunkText: need maxTokens ≥ 1 and 0 ≤ overlapTokens < maxTokens');
  }
  const tokens = encodeText(text);
  if (tokens.length === 0) return [];
  const chunks: TextChunk[] = [];
  let start = 0;
  for (;;) {
    let end = Math.min(start + maxTokens, tokens.length);
    if (end < tokens.length) end = boundaryBefore(tokens, start, end);
    chunks.push({
      ordinal: chunks.length,
      content: decodeTokens(tokens.slice(start, end)),
      startToken: start,
      tokenCount: end - start,
    });
    if (end >= tokens.length) return chunks;
    start = Math.max(end - overlapTokens, start + 1);
  }
}

// The last token in the window's second half that follows a line break or a sentence's end.
function boundaryBefore(tokens: number[], start: number, end: number): number {
  const half = start + Math.ceil((end - start) / 2);
  for (let i = end; i > half; i -= 1) {
    const previous = decodeTokens([tokens[i - 1]]);
    if (/[\n.!?]\s*$/.test(previous)) return i;
  }
  return end;
}
