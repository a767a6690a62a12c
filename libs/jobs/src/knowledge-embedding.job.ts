import { JobsOptions } from 'bullmq';

export const EMBED_KNOWLEDGE_JOB = 'embed-knowledge';

/** Ids only: the chunks waiting for vectors are found in PostgreSQL. */
export interface KnowledgeEmbeddingJobData {
  tenantId: string;
}

export interface KnowledgeEmbeddingJobResult {
  chunksEmbedded: number;
  requests: number;
  tokens: number;
  /** The model whose vectors serve searches once the job ends. */
  servingModel: string | null;
}

/**
 * One job per change (an entry written, a memory added, the model changed): concurrent jobs of a
 * tenant take disjoint leased batches, so none waits for another and no change is missed while a
 * job is finishing.
 */
export function knowledgeEmbeddingJobId(tenantId: string, change: string): string {
  return `${tenantId}-${change}`;
}

/**
 * A provider that keeps failing is tried again for about 40 minutes (exponential from 5 s); its
 * entries show `failed` meanwhile and stay searchable by words.
 */
export const knowledgeEmbeddingJobOptions: JobsOptions = {
  attempts: 10,
  backoff: { type: 'exponential', delay: 5_000 },
  removeOnComplete: true,
  removeOnFail: { count: 1000 },
};
