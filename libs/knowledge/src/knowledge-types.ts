/** The autonomous-coding schema's five types and the orchestrator's four documents. */
export const KNOWLEDGE_TYPES = [
  'code_snippet',
  'adr',
  'documentation',
  'pattern',
  'task_template',
  'handover',
  'analysis',
  'template',
  'rule',
] as const;
export type KnowledgeType = (typeof KNOWLEDGE_TYPES)[number];

/** tenant: every agent; agents: those in agentIds; private: the one ownerAgentId. */
export const KNOWLEDGE_VISIBILITIES = ['tenant', 'agents', 'private'] as const;
export type KnowledgeVisibility = (typeof KNOWLEDGE_VISIBILITIES)[number];

export const EMBEDDING_STATUSES = ['pending', 'ready', 'failed'] as const;
export type EmbeddingStatus = (typeof EMBEDDING_STATUSES)[number];

/** An entry's content at most (UTF-8 bytes). */
export const KNOWLEDGE_CONTENT_MAX_BYTES = 1024 * 1024;

/** Where an entry came from: an execution, a plan task, or any reference (a URL, a file). */
export interface KnowledgeSource {
  kind: 'execution' | 'plan_task' | 'reference';
  executionId?: string;
  planId?: string;
  taskKey?: string;
  reference?: string;
}

export interface KnowledgeEntryFields {
  type: KnowledgeType;
  title: string;
  content: string;
  tags: string[];
  visibility: KnowledgeVisibility;
  agentIds: string[];
  ownerAgentId: string | null;
  confidence: number | null;
  source: KnowledgeSource | null;
  collection: string | null;
}

export interface KnowledgeEntry extends KnowledgeEntryFields {
  id: string;
  tenantId: string;
  version: number;
  embeddingStatus: EmbeddingStatus;
  embeddingError: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface KnowledgeVersion {
  entryId: string;
  version: number;
  type: KnowledgeType;
  title: string;
  content: string;
  tags: string[];
  confidence: number | null;
  collection: string | null;
  createdAt: Date;
}

export interface KnowledgeChunk {
  id: string;
  ordinal: number;
  content: string;
  startToken: number;
  tokenCount: number;
  embeddingModel: string | null;
  embeddingDims: number | null;
}

/** Filters shared by lists and searches. */
export interface KnowledgeFilters {
  types?: KnowledgeType[];
  tags?: string[];
  collections?: string[];
}
