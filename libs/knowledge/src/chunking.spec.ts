import { countTokens } from 'gpt-tokenizer';
import { chunkText } from './chunking';

const paragraph = (n: number) =>
  `Paragraph ${n} explains how the embedding job batches chunks and honours the provider's pace.`;

describe('chunkText', () => {
  it('keeps a short text whole, in one chunk', () => {
    expect(chunkText('A short note.')).toEqual([
      { ordinal: 0, content: 'A short note.', startToken: 0, tokenCount: 4 },
    ]);
  });

  it('gives nothing for empty text', () => {
    expect(chunkText('')).toEqual([]);
  });

  it('cuts long text into windows of at most maxTokens that overlap', () => {
    const text = Array.from({ length: 40 }, (_, i) => paragraph(i)).join('\n');
    const chunks = chunkText(text, { maxTokens: 64, overlapTokens: 8 });
    expect(chunks.length).toBeGreaterThan(10);
    for (const chunk of chunks) expect(chunk.tokenCount).toBeLessThanOrEqual(64);
    for (let i = 1; i < chunks.length; i += 1) {
      const previousEnd = chunks[i - 1].startToken + chunks[i - 1].tokenCount;
      expect(chunks[i].startToken).toBe(previousEnd - 8);
    }
    const last = chunks[chunks.length - 1];
    expect(last.startToken + last.tokenCount).toBe(countTokens(text));
  });

  it('ends a window on a line or sentence boundary when one is in its second half', () => {
    const text = Array.from({ length: 10 }, (_, i) => paragraph(i)).join('\n');
    const chunks = chunkText(text, { maxTokens: 50, overlapTokens: 5 });
    for (const chunk of chunks.slice(0, -1)) expect(chunk.content).toMatch(/[\n.!?]\s*$/);
  });

  it('refuses an overlap as large as the window', () => {
    expect(() => chunkText('x', { maxTokens: 8, overlapTokens: 8 })).toThrow(RangeError);
  });
});
