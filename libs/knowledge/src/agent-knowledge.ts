import { countTextTokens } from '@agentq/llm';

export const AGENT_KNOWLEDGE_LIMITS = { topK: 20, maxTokens: 8_000 } as const;

/** One retrieved entry, with the chunk that matched the input. */
export interface RetrievedKnowledge {
  entryId: string;
  title: string;
  type: string;
  text: string;
}

export interface KnowledgeSection {
  /** The system prompt's knowledge section, empty when nothing fits. */
  text: string;
  /** The entries it quotes, in order: recorded on the execution. */
  entryIds: string[];
  tokens: number;
}

const HEADER = 'Knowledge you may draw on (from the knowledge base, best match first):';

/**
 * Entries in rank order, each quoted as `[n] title (type)` and its matching chunk, while the
 * section stays within `maxTokens`: an entry that does not fit is skipped, and a smaller one
 * after it may still fit.
 */
export function knowledgePromptSection(
  items: readonly RetrievedKnowledge[],
  maxTokens: number,
): KnowledgeSection {
  const headerTokens = countTextTokens(HEADER) + 1;
  const lines: string[] = [];
  const entryIds: string[] = [];
  let tokens = headerTokens;
  for (const item of items) {
    const block = `[${entryIds.length + 1}] ${item.title} (${item.type})\n${item.text.trim()}`;
    const cost = countTextTokens(block) + 2;
    if (tokens + cost > maxTokens) continue;
    tokens += cost;
    lines.push(block);
    entryIds.push(item.entryId);
  }
  if (entryIds.length === 0) return { text: '', entryIds: [], tokens: 0 };
  return { text: `${HEADER}\n\n${lines.join('\n\n')}`, entryIds, tokens };
}
