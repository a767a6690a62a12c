import { echoEmbedding } from './echo-embedding';

const cosine = (a: number[], b: number[]) => a.reduce((sum, x, i) => sum + x * b[i], 0);

describe('echoEmbedding', () => {
  it('is deterministic, 384 numbers of length 1', () => {
    const vector = echoEmbedding('Retry-After pauses the provider');
    expect(vector).toHaveLength(384);
    expect(vector).toEqual(echoEmbedding('Retry-After pauses the provider'));
    expect(cosine(vector, vector)).toBeCloseTo(1);
  });

  it('puts texts sharing words and word pieces nearer than unrelated ones', () => {
    const query = echoEmbedding('how are embeddings batched');
    const related = echoEmbedding('The embedding job batches chunks per request');
    const unrelated = echoEmbedding('Invoices are paid monthly by bank transfer');
    expect(cosine(query, related)).toBeGreaterThan(cosine(query, unrelated) + 0.1);
  });

  it('gives a zero vector for text without words', () => {
    expect(echoEmbedding('  ...  ').every((x) => x === 0)).toBe(true);
  });
});
