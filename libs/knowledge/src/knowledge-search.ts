import { EntityManager } from 'typeorm';
import { KnowledgeFilters } from './knowledge-types';
import { fuseRankings, HYBRID_WEIGHTS } from './rank-fusion';
import { similaritySql, VectorBackend, vectorParameter } from './vector-backend';

export type SearchMode = 'lexical' | 'semantic' | 'hybrid';

/** The query's vector, made with the model whose vectors are serving. */
export interface QueryVector {
  vector: number[];
  model: string;
}

export interface ChunkSearch {
  query: string;
  k: number;
  mode: SearchMode;
  /** Null: no vector could be made (no serving model, provider down): words only. */
  queryVector: QueryVector | null;
  backend: VectorBackend;
  filters: KnowledgeFilters;
  /** Entry chunks or memory chunks (of one agent). */
  target: { kind: 'entries' } | { kind: 'memories'; agentId: string };
}

export interface ChunkHit {
  chunkId: string;
  /** The entry or the memory the chunk belongs to. */
  parentId: string;
  score: number;
  lexicalRank: number | null;
  semanticRank: number | null;
  similarity: number | null;
  content: string;
  snippet: string;
}

// How many candidates each ranking gives the fusion: enough that an entry ranked well by one
// list and middling by the other still surfaces.
const candidatesFor = (k: number) => Math.min(Math.max(k * 4, 20), 200);

const HEADLINE_OPTIONS =
  'StartSel=<mark>, StopSel=</mark>, MaxWords=35, MinWords=12, MaxFragments=2';

/**
 * Ranks chunks by full text (ts_rank_cd over the chunk's tsvector), by vector similarity, or by
 * both fused with reciprocal rank fusion (weights `HYBRID_WEIGHTS`), then keeps the best chunk per
 * entry (or memory): the top `k` parents with their chunk and a highlighted snippet.
 */
export async function searchChunks(
  manager: EntityManager,
  search: ChunkSearch,
): Promise<ChunkHit[]> {
  const limit = candidatesFor(search.k);
  const lexicalFilter = filterSql(search, 2);
  const lexical =
    search.mode === 'semantic' || search.query.trim() === ''
      ? []
      : ((await manager.query(
          `SELECT c.id FROM knowledge_chunks c
            WHERE ${lexicalFilter.where} AND c.search_vector @@ websearch_to_tsquery('english', $1)
            ORDER BY ts_rank_cd(c.search_vector, websearch_to_tsquery('english', $1)) DESC, c.id
            LIMIT ${limit}`,
          [search.query, ...lexicalFilter.params],
        )) as { id: string }[]);
  const semantic: { id: string; similarity: number }[] = [];
  if (search.mode !== 'lexical' && search.queryVector) {
    const dims = search.queryVector.vector.length;
    const { where, params } = filterSql(search, 1);
    const n = params.length + 1;
    const { similarity, orderBy } = similaritySql(search.backend, 'c.embedding', `$${n}`, dims);
    if (search.backend === 'pgvector') {
      // Filters are applied after the HNSW walk: iterative scans keep walking until enough
      // rows pass them (pgvector 0.8), and a wider beam keeps recall up.
      await manager.query(`SELECT set_config('hnsw.ef_search', '100', true)`);
      await manager
        .query(`SELECT set_config('hnsw.iterative_scan', 'relaxed_order', true)`)
        .catch(() => undefined);
    }
    const rows: { id: string; similarity: number }[] = await manager.query(
      `SELECT c.id, ${similarity} AS similarity FROM knowledge_chunks c
        WHERE ${where} AND c.embedding_model = $${n + 1} AND c.embedding_dims = ${dims}
        ORDER BY ${orderBy}, c.id
        LIMIT ${limit}`,
      [
        ...params,
        vectorParameter(search.backend, search.queryVector.vector),
        search.queryVector.model,
      ],
    );
    semantic.push(...rows.map((row) => ({ id: row.id, similarity: Number(row.similarity) })));
  }
  const fused = fuseRankings([
    { weight: HYBRID_WEIGHTS.lexical, ids: lexical.map((row) => row.id) },
    { weight: HYBRID_WEIGHTS.semantic, ids: semantic.map((row) => row.id) },
  ]);
  if (fused.length === 0) return [];
  const details: { id: string; parent_id: string; content: string; snippet: string }[] =
    await manager.query(
      `SELECT c.id, coalesce(c.entry_id, c.memory_id) AS parent_id, c.content,
              ts_headline('english', c.content, websearch_to_tsquery('english', $2), $3) AS snippet
         FROM knowledge_chunks c WHERE c.id = ANY ($1::uuid[])`,
      [fused.map((hit) => hit.id), search.query, HEADLINE_OPTIONS],
    );
  const byId = new Map(details.map((row) => [row.id, row]));
  const lexicalRank = new Map(lexical.map((row, i) => [row.id, i + 1]));
  const semanticRank = new Map(semantic.map((row, i) => [row.id, i + 1]));
  const similarityOf = new Map(semantic.map((row) => [row.id, row.similarity]));
  const seen = new Set<string>();
  const hits: ChunkHit[] = [];
  for (const { id, score } of fused) {
    const row = byId.get(id);
    if (!row || seen.has(row.parent_id)) continue;
    seen.add(row.parent_id);
    hits.push({
      chunkId: id,
      parentId: row.parent_id,
      score,
      lexicalRank: lexicalRank.get(id) ?? null,
      semanticRank: semanticRank.get(id) ?? null,
      similarity: similarityOf.get(id) ?? null,
      content: row.content,
      snippet: row.snippet,
    });
    if (hits.length === search.k) break;
  }
  return hits;
}

// The filters' condition, its parameters numbered from $first.
function filterSql(search: ChunkSearch, first: number): { where: string; params: unknown[] } {
  const [a, b, c] = [first, first + 1, first + 2];
  if (search.target.kind === 'memories') {
    return {
      where: `c.memory_id IS NOT NULL AND c.owner_agent_id = $${a}`,
      params: [search.target.agentId],
    };
  }
  const { types, tags, collections } = search.filters;
  return {
    where: `c.entry_id IS NOT NULL
        AND ($${a}::text[] IS NULL OR c.type = ANY ($${a}))
        AND ($${b}::text[] IS NULL OR c.tags && $${b})
        AND ($${c}::text[] IS NULL OR c.collection = ANY ($${c}))`,
    params: [types ?? null, tags ?? null, collections ?? null],
  };
}
