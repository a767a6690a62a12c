import { EntityManager } from 'typeorm';
import { tokensIfWithin } from '@agentq/llm';

/** A memory the worker may put in a system prompt, already in rank order. */
export interface MemoryCandidate {
  id: string;
  type: string;
  content: string;
}

// Per-memory overhead of the "- (type) " line prefix in the prompt, in tokens.
const LINE_OVERHEAD_TOKENS = 4;

/**
 * Takes candidates in the order given (most relevant first) while they fit in `budgetTokens`;
 * one that does not fit is skipped and smaller, lower-ranked ones may still be taken.
 */
export function selectMemoriesWithinBudget<T extends MemoryCandidate>(
  candidates: readonly T[],
  budgetTokens: number,
): T[] {
  const chosen: T[] = [];
  let left = budgetTokens;
  for (const candidate of candidates) {
    if (left <= LINE_OVERHEAD_TOKENS) break;
    const tokens = tokensIfWithin(
      `${candidate.type} ${candidate.content}`,
      left - LINE_OVERHEAD_TOKENS,
    );
    if (tokens === null) continue;
    chosen.push(candidate);
    left -= tokens + LINE_OVERHEAD_TOKENS;
  }
  return chosen;
}

/**
 * SQL for a tsquery matching ANY word of a free text (parameter `$n`): plainto_tsquery would
 * require ALL of them, which a long input almost never satisfies. The lexemes are already
 * normalised, so the OR form is cast to tsquery directly instead of being stemmed again.
 */
export function anyWordTsQuerySql(parameter: string): string {
  return `replace(plainto_tsquery('english', ${parameter})::text, ' & ', ' | ')::tsquery`;
}

/** How many ranked candidates the worker reads before applying the token budget. */
export const MEMORY_CANDIDATE_LIMIT = 50;

// No row at all when the agent has memory turned off; a single row of nulls when it has it on
// but remembers nothing.
const MEMORY_CANDIDATES_SQL = `
SELECT m.id, m.type, m.content
  FROM agents a
  LEFT JOIN LATERAL (
    SELECT mm.id, mm.type, mm.content
      FROM agent_memories mm
     WHERE mm.agent_id = a.id
     ORDER BY ts_rank(mm.search_vector, ${anyWordTsQuerySql('$2')}) DESC,
              mm.importance DESC, mm.created_at DESC, mm.id
     LIMIT $3) m ON true
 WHERE a.id = $1 AND a.enable_memory`;

/**
 * An agent's memories for a prompt, most relevant to the input text first, then by importance
 * and recency, at most `limit`, in the caller's tenant transaction; null when the agent has
 * memory turned off.
 */
export async function readMemoryCandidates(
  sql: Pick<EntityManager, 'query'>,
  agentId: string,
  inputText: string,
  limit: number,
): Promise<MemoryCandidate[] | null> {
  const rows: { id: string | null; type: string; content: string }[] = await sql.query(
    MEMORY_CANDIDATES_SQL,
    [agentId, inputText, limit],
  );
  if (rows.length === 0) return null;
  return rows.filter((row): row is MemoryCandidate => row.id !== null);
}
