import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { recordAudit } from '@agentq/audit';
import { inTenantTransaction } from '@agentq/database';
import {
  EMBED_KNOWLEDGE_JOB,
  JobQueue,
  knowledgeEmbeddingJobId,
  knowledgeEmbeddingJobOptions,
  QUEUES,
} from '@agentq/jobs';
import {
  actAsAgent,
  ChunkHit,
  createKnowledgeEntry,
  deleteKnowledgeEntry,
  embeddingSettings,
  EmbeddingSettings,
  findKnowledgeEntries,
  findKnowledgeEntry,
  findKnowledgeVersion,
  indexMemory,
  KNOWLEDGE_CONTENT_MAX_BYTES,
  KnowledgeEntry,
  KnowledgeEntryFields,
  KnowledgeFilters,
  listKnowledgeChunks,
  listKnowledgeEntries,
  listKnowledgeVersions,
  QueryVector,
  readEmbeddingUsage,
  reembedding,
  renderTemplate,
  searchChunks,
  SearchMode,
  setEmbeddingModel,
  templatePlaceholders,
  unknownAgentIds,
  updateKnowledgeEntry,
} from '@agentq/knowledge';
import { defaultEmbeddingModel } from '@agentq/llm';
import { DataSource, EntityManager } from 'typeorm';
import { FieldError, NotFoundError, ValidationFailedError } from '../common/api-errors';
import { Page } from '../common/newest-first-page';
import { DEFAULT_PAGE_SIZE } from '../common/page.query';
import { decodePosition, encodePosition } from '../common/page-cursor';
import { CreateKnowledgeEntryDto, UpdateKnowledgeEntryDto } from './dto/knowledge-entry.dto';
import {
  KnowledgeSearchDto,
  ListKnowledgeQuery,
  MemorySearchDto,
} from './dto/knowledge-queries.dto';
import { KnowledgeVectorSupport } from './knowledge-vector-support.service';
import { QueryEmbedder } from './query-embedder.service';

export interface SearchAnswer<Hit> {
  hits: Hit[];
  mode: SearchMode;
  embeddingModel: string | null;
  degraded?: string;
}

@Injectable()
export class KnowledgeService {
  private readonly logger = new Logger(KnowledgeService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @InjectQueue(QUEUES.knowledgeEmbeddings)
    private readonly embeddings: JobQueue<typeof EMBED_KNOWLEDGE_JOB>,
    private readonly vectors: KnowledgeVectorSupport,
    private readonly queryEmbedder: QueryEmbedder,
  ) {}

  async create(tenantId: string, body: CreateKnowledgeEntryDto): Promise<KnowledgeEntry> {
    const fields: KnowledgeEntryFields = {
      type: body.type,
      title: body.title,
      content: body.content,
      tags: body.tags ?? [],
      visibility: body.visibility ?? 'tenant',
      agentIds: body.agentIds ?? [],
      ownerAgentId: body.ownerAgentId ?? null,
      confidence: body.confidence ?? null,
      source: body.source ?? null,
      collection: body.collection ?? null,
    };
    assertStorable(fields);
    const entry = await inTenantTransaction(this.dataSource, tenantId, async (manager) => {
      await assertAgentsKnown(manager, tenantId, fields);
      const created = await createKnowledgeEntry(manager, tenantId, fields);
      await recordAudit(manager, {
        tenantId,
        action: 'knowledge_entry.created',
        targetType: 'knowledge_entry',
        targetId: created.id,
        before: null,
        after: auditedFields(created),
      });
      return created;
    });
    await this.enqueueEmbedding(tenantId, `entry-${entry.id}-v${entry.version}`);
    return entry;
  }

  async list(tenantId: string, query: ListKnowledgeQuery): Promise<Page<KnowledgeEntry>> {
    const limit = query.limit ?? DEFAULT_PAGE_SIZE;
    const after = query.cursor ? decodePosition(query.cursor) : null;
    const rows = await inTenantTransaction(this.dataSource, tenantId, (manager) =>
      listKnowledgeEntries(
        manager,
        { types: query.type, tags: query.tag, collections: query.collection },
        limit + 1,
        after,
      ),
    );
    const data = rows.slice(0, limit);
    return {
      data: data.map((row) => row.entry),
      nextCursor: rows.length > limit ? encodePosition(data[limit - 1].position) : null,
    };
  }

  get(tenantId: string, id: string): Promise<KnowledgeEntry> {
    return inTenantTransaction(this.dataSource, tenantId, async (manager) => {
      const entry = await findKnowledgeEntry(manager, id);
      if (!entry) throw new NotFoundError('knowledge entry');
      return entry;
    });
  }

  async update(
    tenantId: string,
    id: string,
    body: UpdateKnowledgeEntryDto,
  ): Promise<KnowledgeEntry> {
    for (const field of ['type', 'title', 'content', 'tags', 'visibility', 'agentIds'] as const) {
      if (body[field] === null) {
        throw new ValidationFailedError([{ field, message: `${field} cannot be null` }]);
      }
    }
    const result = await inTenantTransaction(this.dataSource, tenantId, async (manager) => {
      const current = await findKnowledgeEntry(manager, id);
      if (!current) throw new NotFoundError('knowledge entry');
      const changes: Partial<KnowledgeEntryFields> = {
        type: body.type,
        title: body.title,
        content: body.content,
        tags: body.tags,
        visibility: body.visibility,
        agentIds: body.agentIds,
        ownerAgentId: body.ownerAgentId,
        confidence: body.confidence,
        source: body.source,
        collection: body.collection,
      };
      const merged: KnowledgeEntryFields = { ...current, ...definedOnly(changes) };
      assertStorable(merged);
      await assertAgentsKnown(manager, tenantId, merged);
      const updated = await updateKnowledgeEntry(manager, id, changes);
      if (updated) {
        await recordAudit(manager, {
          tenantId,
          action: 'knowledge_entry.updated',
          targetType: 'knowledge_entry',
          targetId: id,
          before: auditedFields(current),
          after: auditedFields(updated.entry),
        });
      }
      return updated;
    });
    if (!result) throw new NotFoundError('knowledge entry');
    if (result.contentChanged) {
      await this.enqueueEmbedding(tenantId, `entry-${id}-v${result.entry.version}`);
    }
    return result.entry;
  }

  async remove(tenantId: string, id: string): Promise<void> {
    const deleted = await inTenantTransaction(this.dataSource, tenantId, async (manager) => {
      const current = await findKnowledgeEntry(manager, id);
      if (!current || !(await deleteKnowledgeEntry(manager, id))) return false;
      await recordAudit(manager, {
        tenantId,
        action: 'knowledge_entry.deleted',
        targetType: 'knowledge_entry',
        targetId: id,
        before: auditedFields(current),
        after: null,
      });
      return true;
    });
    if (!deleted) throw new NotFoundError('knowledge entry');
  }

  versions(tenantId: string, id: string) {
    return inTenantTransaction(this.dataSource, tenantId, async (manager) => {
      if (!(await findKnowledgeEntry(manager, id))) throw new NotFoundError('knowledge entry');
      return listKnowledgeVersions(manager, id);
    });
  }

  version(tenantId: string, id: string, version: number) {
    return inTenantTransaction(this.dataSource, tenantId, async (manager) => {
      if (!(await findKnowledgeEntry(manager, id))) throw new NotFoundError('knowledge entry');
      const found = await findKnowledgeVersion(manager, id, version);
      if (!found) throw new NotFoundError('knowledge entry version');
      return found;
    });
  }

  chunks(tenantId: string, id: string) {
    return inTenantTransaction(this.dataSource, tenantId, async (manager) => {
      if (!(await findKnowledgeEntry(manager, id))) throw new NotFoundError('knowledge entry');
      return listKnowledgeChunks(manager, id);
    });
  }

  async render(tenantId: string, id: string, values: unknown) {
    const entry = await this.get(tenantId, id);
    return {
      content: renderTemplate(entry.content, values ?? {}),
      placeholders: templatePlaceholders(entry.content),
    };
  }

  /** Hybrid (or lexical, or semantic) search of the entries the key, or `agentId`, may see. */
  async search(
    tenantId: string,
    body: KnowledgeSearchDto,
  ): Promise<SearchAnswer<{ hit: ChunkHit; entry: KnowledgeEntry }>> {
    const mode = body.mode ?? 'hybrid';
    const prepared = await this.prepareQuery(tenantId, body.query, mode, body.agentId);
    const filters: KnowledgeFilters = {
      types: body.types,
      tags: body.tags,
      collections: body.collections,
    };
    const hits = await inTenantTransaction(this.dataSource, tenantId, async (manager) => {
      if (body.agentId) await actAsAgent(manager, body.agentId);
      const chunkHits = await searchChunks(manager, {
        query: body.query,
        k: body.k ?? 10,
        mode,
        queryVector: prepared.queryVector,
        backend: this.vectors.current.backend,
        filters,
        target: { kind: 'entries' },
      });
      const entries = await findKnowledgeEntries(
        manager,
        chunkHits.map((hit) => hit.parentId),
      );
      return chunkHits.flatMap((hit) => {
        const entry = entries.get(hit.parentId);
        return entry ? [{ hit, entry }] : [];
      });
    });
    return {
      hits,
      mode,
      embeddingModel: prepared.queryVector?.model ?? null,
      degraded: prepared.degraded,
    };
  }

  /** An agent's memories by words, by meaning or both. */
  async searchMemories(
    tenantId: string,
    agentId: string,
    body: MemorySearchDto,
  ): Promise<SearchAnswer<ChunkHit>> {
    const mode = body.mode ?? 'hybrid';
    const prepared = await this.prepareQuery(tenantId, body.query, mode, agentId);
    const hits = await inTenantTransaction(this.dataSource, tenantId, async (manager) => {
      await actAsAgent(manager, agentId);
      return searchChunks(manager, {
        query: body.query,
        k: body.k ?? 10,
        mode,
        queryVector: prepared.queryVector,
        backend: this.vectors.current.backend,
        filters: {},
        target: { kind: 'memories', agentId },
      });
    });
    return {
      hits,
      mode,
      embeddingModel: prepared.queryVector?.model ?? null,
      degraded: prepared.degraded,
    };
  }

  /** Called by the memories service in the transaction that writes the memory. */
  async indexMemory(
    manager: EntityManager,
    tenantId: string,
    memory: { id: string; agentId: string; content: string },
  ): Promise<void> {
    await indexMemory(manager, tenantId, memory);
  }

  async memoryIndexed(tenantId: string, memoryId: string): Promise<void> {
    await this.enqueueEmbedding(tenantId, `memory-${memoryId}-${Date.now()}`);
  }

  async settings(tenantId: string) {
    const settings = await inTenantTransaction(this.dataSource, tenantId, (manager) =>
      embeddingSettings(manager, tenantId, defaultEmbeddingModel),
    );
    return this.settingsView(settings);
  }

  async changeSettings(tenantId: string, providerId: string, model: string) {
    const settings = await inTenantTransaction(this.dataSource, tenantId, async (manager) => {
      const [provider]: { type: string }[] = await manager.query(
        `SELECT type FROM llm_providers WHERE id = $1 AND tenant_id = $2`,
        [providerId, tenantId],
      );
      if (!provider) throw new NotFoundError('provider');
      if (provider.type === 'anthropic') {
        throw new ValidationFailedError([
          { field: 'providerId', message: 'anthropic has no embeddings API' },
        ]);
      }
      const before = await embeddingSettings(manager, tenantId, defaultEmbeddingModel);
      await setEmbeddingModel(manager, tenantId, providerId, model);
      const after = await embeddingSettings(manager, tenantId, defaultEmbeddingModel);
      await recordAudit(manager, {
        tenantId,
        action: 'knowledge.settings_updated',
        targetType: 'knowledge',
        targetId: tenantId,
        before: { ...before },
        after: { ...after },
      });
      return after;
    });
    await this.enqueueEmbedding(tenantId, `model-${Date.now()}`);
    return this.settingsView(settings);
  }

  usage(tenantId: string) {
    return inTenantTransaction(this.dataSource, tenantId, (manager) =>
      readEmbeddingUsage(manager, tenantId),
    );
  }

  private settingsView(settings: EmbeddingSettings | null) {
    return {
      providerId: settings?.provider?.id ?? null,
      model: settings?.model ?? null,
      servingModel: settings?.servingModel ?? null,
      reembedding: settings ? reembedding(settings) : false,
      vectorBackend: this.vectors.current.backend,
    };
  }

  // The agent check (404 for another tenant's), the settings read and the query's vector, before
  // the search's own transaction: the provider call holds no connection.
  private async prepareQuery(
    tenantId: string,
    query: string,
    mode: SearchMode,
    agentId: string | undefined,
  ): Promise<{ queryVector: QueryVector | null; degraded?: string }> {
    const settings = await inTenantTransaction(this.dataSource, tenantId, async (manager) => {
      if (agentId) {
        const [agent] = await manager.query(`SELECT 1 FROM agents WHERE id = $1`, [agentId]);
        if (!agent) throw new NotFoundError('agent');
      }
      return mode === 'lexical'
        ? null
        : embeddingSettings(manager, tenantId, defaultEmbeddingModel);
    });
    if (mode === 'lexical') return { queryVector: null };
    if (!settings?.servingModel || !settings.servingProvider) {
      return { queryVector: null, degraded: 'no embedding model has vectors yet' };
    }
    try {
      const vector = await this.queryEmbedder.embed(
        tenantId,
        settings.servingProvider,
        settings.servingModel,
        query,
      );
      return { queryVector: { vector, model: settings.servingModel } };
    } catch (error) {
      this.logger.warn(`query embedding failed: ${(error as Error).message}`);
      return {
        queryVector: null,
        degraded: `the query could not be embedded: ${(error as Error).message}`,
      };
    }
  }

  private async enqueueEmbedding(tenantId: string, change: string): Promise<void> {
    try {
      await this.embeddings.add(
        EMBED_KNOWLEDGE_JOB,
        { tenantId },
        { ...knowledgeEmbeddingJobOptions, jobId: knowledgeEmbeddingJobId(tenantId, change) },
      );
    } catch (error) {
      // The chunks wait in PostgreSQL: the tenant's next embedding job takes them.
      this.logger.warn(`embedding job not queued: ${(error as Error).message}`);
    }
  }
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

// Checks a body alone cannot express: the content's size in bytes and the visibility's fields.
function assertStorable(fields: KnowledgeEntryFields): void {
  const problems: FieldError[] = [];
  if (Buffer.byteLength(fields.content, 'utf8') > KNOWLEDGE_CONTENT_MAX_BYTES) {
    problems.push({ field: 'content', message: 'content must be at most 1 MiB (UTF-8)' });
  }
  if (fields.visibility === 'private' && !fields.ownerAgentId) {
    problems.push({ field: 'ownerAgentId', message: 'a private entry names its ownerAgentId' });
  }
  if (fields.visibility === 'agents' && fields.agentIds.length === 0) {
    problems.push({ field: 'agentIds', message: 'visibility agents needs at least one agentId' });
  }
  if (problems.length > 0) throw new ValidationFailedError(problems);
}

async function assertAgentsKnown(
  manager: EntityManager,
  tenantId: string,
  fields: KnowledgeEntryFields,
): Promise<void> {
  const unknownAccess = await unknownAgentIds(manager, tenantId, fields.agentIds);
  const unknownOwner = fields.ownerAgentId
    ? await unknownAgentIds(manager, tenantId, [fields.ownerAgentId])
    : [];
  const problems: FieldError[] = [
    ...unknownAccess.map((id) => ({ field: 'agentIds', message: `no agent ${id}` })),
    ...unknownOwner.map((id) => ({ field: 'ownerAgentId', message: `no agent ${id}` })),
  ];
  if (problems.length > 0) throw new ValidationFailedError(problems);
}

// What the audit log keeps of an entry: its description, not its content (a new version says
// that changed); the content is in the entry's versions.
function auditedFields(entry: KnowledgeEntry): Record<string, unknown> {
  const { content: _content, embeddingStatus: _status, embeddingError: _error, ...fields } = entry;
  return fields;
}
