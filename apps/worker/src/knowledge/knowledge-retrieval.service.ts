import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { AgentKnowledgeConfig, inTenantTransaction } from '@agentq/database';
import {
  actAsAgent,
  detectVectorSupport,
  EmbeddingAdapters,
  embeddingSettings,
  findKnowledgeEntries,
  KnowledgeType,
  QueryVector,
  RetrievedKnowledge,
  searchChunks,
  VectorBackend,
} from '@agentq/knowledge';
import { defaultEmbeddingModel } from '@agentq/llm';
import { DataSource } from 'typeorm';

const QUERY_TIMEOUT_MS = 10_000;

export interface KnowledgeQuery {
  tenantId: string;
  agentId: string;
  query: string;
  k: number;
  collections?: string[];
  types?: string[];
  tags?: string[];
}

/**
 * What an agent finds in the knowledge base: a hybrid search as the agent (the row-level policy
 * shows it only the entries it may see), with the query embedded by the serving model. Used
 * before a model call (the agent's `knowledge` config) and by the `search_knowledge` tool.
 */
@Injectable()
export class KnowledgeRetrieval {
  private readonly logger = new Logger(KnowledgeRetrieval.name);
  private backend: Promise<VectorBackend> | null = null;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly embeddingAdapters: EmbeddingAdapters,
  ) {}

  /** The knowledge an agent's config asks for, for `input`. */
  forAgent(tenantId: string, agentId: string, config: AgentKnowledgeConfig, input: string) {
    return this.search({
      tenantId,
      agentId,
      query: input,
      k: config.topK,
      collections: config.collections,
      types: config.types,
      tags: config.tags,
    });
  }

  async search(query: KnowledgeQuery): Promise<RetrievedKnowledge[]> {
    if (query.query.trim() === '') return [];
    this.backend ??= detectVectorSupport(this.dataSource.manager).then((s) => s.backend);
    const backend = await this.backend;
    const settings = await inTenantTransaction(this.dataSource, query.tenantId, (manager) =>
      embeddingSettings(manager, query.tenantId, defaultEmbeddingModel),
    );
    let queryVector: QueryVector | null = null;
    if (settings?.servingModel && settings.servingProvider) {
      try {
        const adapter = this.embeddingAdapters.for(query.tenantId, settings.servingProvider);
        const { vectors } = await adapter.embed({
          model: settings.servingModel,
          texts: [query.query],
          signal: AbortSignal.timeout(QUERY_TIMEOUT_MS),
        });
        queryVector = { vector: vectors[0], model: settings.servingModel };
      } catch (error) {
        // Words alone still find what matches literally.
        this.logger.warn(`knowledge query not embedded: ${(error as Error).message}`);
      }
    }
    return inTenantTransaction(this.dataSource, query.tenantId, async (manager) => {
      await actAsAgent(manager, query.agentId);
      const hits = await searchChunks(manager, {
        query: query.query,
        k: query.k,
        mode: 'hybrid',
        queryVector,
        backend,
        filters: {
          collections: query.collections,
          types: query.types as KnowledgeType[] | undefined,
          tags: query.tags,
        },
        target: { kind: 'entries' },
      });
      const entries = await findKnowledgeEntries(
        manager,
        hits.map((hit) => hit.parentId),
      );
      return hits.flatMap((hit) => {
        const entry = entries.get(hit.parentId);
        return entry
          ? [{ entryId: entry.id, title: entry.title, type: entry.type, text: hit.content }]
          : [];
      });
    });
  }
}
