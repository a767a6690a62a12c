import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { AgentMemory, inTenantTransaction } from '@agentq/database';
import { DataSource, EntityManager } from 'typeorm';
import { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { NotFoundError } from '../common/api-errors';
import { KnowledgeService } from '../knowledge/knowledge.service';
import { definedOnly } from '../common/defined-only';
import { newestFirstPage, Page } from '../common/newest-first-page';
import { DEFAULT_PAGE_SIZE } from '../common/page.query';
import { CreateMemoryDto } from './dto/create-memory.dto';
import { ListMemoriesQuery } from './dto/list-memories.query';
import { UpdateMemoryDto } from './dto/update-memory.dto';

export interface RankedMemory {
  memory: AgentMemory;
  rank?: number;
}

@Injectable()
export class MemoriesService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly knowledge: KnowledgeService,
  ) {}

  async create(tenantId: string, agentId: string, body: CreateMemoryDto): Promise<AgentMemory> {
    const memory = await inTenantTransaction(this.dataSource, tenantId, async (manager) => {
      await this.assertAgentExists(manager, tenantId, agentId);
      const [{ id }]: { id: string }[] = await manager.query(
        `INSERT INTO agent_memories (tenant_id, agent_id, type, content, importance, metadata)
       VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
        [
          tenantId,
          agentId,
          body.type,
          body.content,
          body.importance ?? 5,
          JSON.stringify(body.metadata ?? {}),
        ],
      );
      // Memories are searchable by meaning too: chunked here, embedded in the background.
      await this.knowledge.indexMemory(manager, tenantId, { id, agentId, content: body.content });
      return this.get(tenantId, agentId, id, manager);
    });
    await this.knowledge.memoryIndexed(tenantId, memory.id);
    return memory;
  }

  /**
   * Without `q`: newest first, cursor-paginated. With `q`: the best matches by text rank, then
   * importance, then recency, as a single page.
   */
  list(tenantId: string, agentId: string, query: ListMemoriesQuery): Promise<Page<RankedMemory>> {
    return inTenantTransaction(this.dataSource, tenantId, async (manager) => {
      await this.assertAgentExists(manager, tenantId, agentId);
      const qb = manager
        .getRepository(AgentMemory)
        .createQueryBuilder('m')
        .where('m.tenant_id = :tenantId AND m.agent_id = :agentId', { tenantId, agentId });
      if (query.type) qb.andWhere('m.type = :type', { type: query.type });
      if (query.q === undefined || query.q.trim() === '') {
        const page = await newestFirstPage(qb, 'm', query);
        return { data: page.data.map((memory) => ({ memory })), nextCursor: page.nextCursor };
      }
      const rank = `ts_rank(m.search_vector, websearch_to_tsquery('english', :q))`;
      const { entities, raw } = await qb
        .andWhere(`m.search_vector @@ websearch_to_tsquery('english', :q)`, { q: query.q })
        .addSelect(rank, 'search_rank')
        .orderBy('search_rank', 'DESC')
        .addOrderBy('m.importance', 'DESC')
        .addOrderBy('m.created_at', 'DESC')
        .addOrderBy('m.id', 'ASC')
        .limit(query.limit ?? DEFAULT_PAGE_SIZE)
        .getRawAndEntities<{ search_rank: number }>();
      return {
        data: entities.map((memory, i) => ({ memory, rank: Number(raw[i].search_rank) })),
        nextCursor: null,
      };
    });
  }

  get(tenantId: string, agentId: string, id: string, within?: EntityManager): Promise<AgentMemory> {
    return inTenantTransaction(
      this.dataSource,
      tenantId,
      async (manager) => {
        const memory = await manager
          .getRepository(AgentMemory)
          .findOneBy({ id, agentId, tenantId });
        if (!memory) throw new NotFoundError('memory');
        return memory;
      },
      within,
    );
  }

  async update(
    tenantId: string,
    agentId: string,
    id: string,
    changes: UpdateMemoryDto,
  ): Promise<AgentMemory> {
    const memory = await inTenantTransaction(this.dataSource, tenantId, async (manager) => {
      const update = definedOnly<Partial<AgentMemory>>({
        type: changes.type,
        content: changes.content,
        importance: changes.importance,
        metadata: changes.metadata,
      }) as QueryDeepPartialEntity<AgentMemory>;
      if (Object.keys(update).length > 0) {
        const { affected } = await manager
          .getRepository(AgentMemory)
          .update({ id, agentId, tenantId }, update);
        if (affected === 0) throw new NotFoundError('memory');
      }
      if (changes.content !== undefined) {
        await this.knowledge.indexMemory(manager, tenantId, {
          id,
          agentId,
          content: changes.content,
        });
      }
      return this.get(tenantId, agentId, id, manager);
    });
    if (changes.content !== undefined) await this.knowledge.memoryIndexed(tenantId, id);
    return memory;
  }

  remove(tenantId: string, agentId: string, id: string): Promise<void> {
    return inTenantTransaction(this.dataSource, tenantId, async (manager) => {
      const { affected } = await manager
        .getRepository(AgentMemory)
        .delete({ id, agentId, tenantId });
      if (affected === 0) throw new NotFoundError('memory');
    });
  }

  private async assertAgentExists(
    manager: EntityManager,
    tenantId: string,
    agentId: string,
  ): Promise<void> {
    const [agent] = await manager.query(`SELECT 1 FROM agents WHERE id = $1 AND tenant_id = $2`, [
      agentId,
      tenantId,
    ]);
    if (!agent) throw new NotFoundError('agent');
  }
}
