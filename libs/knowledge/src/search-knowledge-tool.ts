import { RetrievedKnowledge } from './agent-knowledge';

/** The built-in tool an agent with knowledge enabled may call in a tool loop. */
export const SEARCH_KNOWLEDGE_TOOL = {
  name: 'search_knowledge',
  description:
    'Search the knowledge base (documentation, decisions, patterns, rules, handovers) for ' +
    'passages relevant to a question. Returns the best matching entries with their text.',
  parameters: {
    type: 'object',
    properties: {
      query: { type: 'string', minLength: 1, maxLength: 2000, description: 'what to look for' },
      k: { type: 'integer', minimum: 1, maximum: 10, description: 'how many entries (default 5)' },
    },
    required: ['query'],
    additionalProperties: false,
  },
} as const;

export interface SearchKnowledgeArguments {
  query: string;
  k: number;
}

/** The tool's arguments, or why they are not usable (the model sees the problem). */
export function searchKnowledgeArguments(
  value: unknown,
): { ok: true; value: SearchKnowledgeArguments } | { ok: false; problem: string } {
  const args = (typeof value === 'object' && value !== null ? value : {}) as Record<
    string,
    unknown
  >;
  if (typeof args.query !== 'string' || args.query.trim() === '' || args.query.length > 2000) {
    return { ok: false, problem: 'query must be a non-empty string of at most 2000 characters' };
  }
  const k = args.k === undefined ? 5 : args.k;
  if (typeof k !== 'number' || !Number.isInteger(k) || k < 1 || k > 10) {
    return { ok: false, problem: 'k must be an integer from 1 to 10' };
  }
  return { ok: true, value: { query: args.query, k } };
}

/** What the model reads back: the entries as JSON, best first. */
export function searchKnowledgeOutput(found: readonly RetrievedKnowledge[]): string {
  return JSON.stringify({
    results: found.map((item) => ({
      id: item.entryId,
      title: item.title,
      type: item.type,
      text: item.text,
    })),
  });
}
