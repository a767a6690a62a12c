/** One ranked list of ids, best first, and how much its ranks count. */
export interface Ranking {
  weight: number;
  ids: readonly string[];
}

/**
 * The k of reciprocal rank fusion (Cormack, Clarke and Büttcher, 2009): a document at rank r
 * (1-based) of a list adds weight / (k + r). 60 is the paper's value; it keeps one list's first
 * place from drowning a document that both lists rank well.
 */
export const RRF_K = 60;

/** Full-text and vector rankings count the same: neither is trusted over the other by default. */
export const HYBRID_WEIGHTS = { lexical: 1, semantic: 1 } as const;

export interface FusedScore {
  id: string;
  score: number;
}

/** Reciprocal rank fusion of `rankings`: ids by fused score, best first; ties by first appearance. */
export function fuseRankings(rankings: readonly Ranking[], k = RRF_K): FusedScore[] {
  const scores = new Map<string, number>();
  for (const { weight, ids } of rankings) {
    ids.forEach((id, index) => scores.set(id, (scores.get(id) ?? 0) + weight / (k + index + 1)));
  }
  return [...scores].map(([id, score]) => ({ id, score })).sort((a, b) => b.score - a.score);
}
