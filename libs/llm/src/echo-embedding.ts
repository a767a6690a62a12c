/** The echo provider's embedding size: the size of small local models (all-MiniLM-L6-v2). */
export const ECHO_EMBEDDING_DIMENSIONS = 384;

export const ECHO_EMBEDDING_MODEL = 'echo-embedding';

// FNV-1a, 32-bit: fast, stable across processes and versions, good enough spread for hashing.
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i += 1) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

// Words too common to say what a text is about (a short English list, as search engines use).
const STOP_WORDS = new Set(
  (
    'a an and are as at be by can do does for from has have how i if in is it its of on or ' +
    'so that the their then there these this to was we what when where which who why will ' +
    'with you your'
  ).split(' '),
);

/**
 * The offline echo provider's embedding: not a model. Each word and each character trigram of a
 * word (`#embedding#` gives `#em`, `emb`, ...), common English words left out, is hashed into one of `dimensions` slots with a
 * hashed sign, and the sum is normalised to length 1. Texts sharing words or word pieces
 * ("embedding", "embeddings") land near each other; the same text always gives the same vector.
 */
export function echoEmbedding(text: string, dimensions = ECHO_EMBEDDING_DIMENSIONS): number[] {
  const vector = new Array<number>(dimensions).fill(0);
  const add = (feature: string, weight: number) => {
    const hash = fnv1a(feature);
    vector[hash % dimensions] += hash & 0x80000000 ? -weight : weight;
  };
  for (const word of text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []) {
    if (STOP_WORDS.has(word)) continue;
    add(`w:${word}`, 1);
    const padded = `#${word}#`;
    for (let i = 0; i + 3 <= padded.length; i += 1) add(`t:${padded.slice(i, i + 3)}`, 0.5);
  }
  return normalise(vector);
}

/** `vector` scaled to length 1 (a zero vector stays zero). */
export function normalise(vector: number[]): number[] {
  const length = Math.sqrt(vector.reduce((sum, x) => sum + x * x, 0));
  return length === 0 ? vector : vector.map((x) => x / length);
}
