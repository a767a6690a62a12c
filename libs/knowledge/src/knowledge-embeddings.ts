import { ProviderRateLimit, ProviderType } from '@agentq/database';
import { EntityManager } from 'typeorm';
import { indexMemory } from './knowledge-store';
import { returnedRows } from './returned-rows';
import { VectorBackend, vectorCast } from './vector-backend';

/** The provider fields an embedding adapter and its pacing need. */
export interface EmbeddingProviderRow {
  id: string;
  type: ProviderType;
  baseUrl: string | null;
  apiKeyCiphertext: string | null;
  settings: Record<string, unknown> | null;
  rateLimit: ProviderRateLimit | null;
  updatedAt: Date;
}

/**
 * A tenant's embedding model: `model` (with `provider`) makes new vectors; `servingModel` made
 * the vectors searches use now. They differ while a model change is re-embedding.
 */
export interface EmbeddingSettings {
  provider: EmbeddingProviderRow | null;
  model: string;
  servingProvider: EmbeddingProviderRow | null;
  servingModel: string | null;
}

/** True while a model change is re-embedding: new vectors go beside the serving ones. */
export const reembedding = (settings: EmbeddingSettings) =>
  settings.servingModel !== null && settings.servingModel !== settings.model;

const PROVIDER_COLUMNS = `p.id, p.type, p.base_url AS "baseUrl", p.api_key_ciphertext AS "apiKeyCiphertext",
  p.settings, p.rate_limit AS "rateLimit", p.updated_at AS "updatedAt"`;

/**
 * The tenant's settings; the first time, they are made from its default provider and that
 * provider type's default model (`defaultModel`). Null when there is neither.
 */
export async function embeddingSettings(
  manager: EntityManager,
  tenantId: string,
  defaultModel: (type: EmbeddingProviderRow['type']) => string | null,
): Promise<EmbeddingSettings | null> {
  const [row]: {
    provider_id: string | null;
    model: string;
    serving_provider_id: string | null;
    serving_model: string | null;
  }[] = await manager.query(
    `SELECT provider_id, model, serving_provider_id, serving_model
       FROM knowledge_settings WHERE tenant_id = $1`,
    [tenantId],
  );
  if (row) {
    const providers: EmbeddingProviderRow[] = await manager.query(
      `SELECT ${PROVIDER_COLUMNS} FROM llm_providers p WHERE p.id = ANY ($1::uuid[])`,
      [[row.provider_id, row.serving_provider_id].filter(Boolean)],
    );
    const byId = (id: string | null) => providers.find((p) => p.id === id) ?? null;
    return {
      provider: byId(row.provider_id),
      model: row.model,
      servingProvider: byId(row.serving_provider_id),
      servingModel: row.serving_model,
    };
  }
  const [provider]: EmbeddingProviderRow[] = await manager.query(
    `SELECT ${PROVIDER_COLUMNS} FROM llm_providers p
      WHERE p.tenant_id = $1 AND p.is_default AND p.is_active`,
    [tenantId],
  );
  const model = provider ? defaultModel(provider.type) : null;
  if (!provider || !model) return null;
  await manager.query(
    `INSERT INTO knowledge_settings (tenant_id, provider_id, model, serving_provider_id, serving_model)
     VALUES ($1, $2, $3, $2, $3) ON CONFLICT (tenant_id) DO NOTHING`,
    [tenantId, provider.id, model],
  );
  return { provider, model, servingProvider: provider, servingModel: model };
}

/**
 * Sets the model new vectors are made with. When vectors of another model are serving, they
 * keep serving until every chunk has one of the new model (`settleEmbeddings` swaps them).
 */
export async function setEmbeddingModel(
  manager: EntityManager,
  tenantId: string,
  providerId: string,
  model: string,
): Promise<void> {
  await manager.query(
    `INSERT INTO knowledge_settings (tenant_id, provider_id, model, serving_model)
     VALUES ($1, $2, $3, NULL)
     ON CONFLICT (tenant_id) DO UPDATE
       SET provider_id = excluded.provider_id, model = excluded.model, updated_at = now()`,
    [tenantId, providerId, model],
  );
  // With no vector stored yet, there is nothing to keep serving.
  await manager.query(
    `UPDATE knowledge_settings s SET serving_model = s.model, serving_provider_id = s.provider_id
      WHERE s.tenant_id = $1 AND NOT EXISTS (
        SELECT 1 FROM knowledge_chunks c WHERE c.tenant_id = $1 AND c.embedding IS NOT NULL)`,
    [tenantId],
  );
}

export interface ChunkToEmbed {
  id: string;
  content: string;
  tokenCount: number;
}

// How long a job holds the chunks it took before another may take them.
const CLAIM_MINUTES = 5;

/**
 * Takes up to `limit` chunks that lack a vector of the settings' model, leased for a few minutes
 * so that concurrent jobs take disjoint batches. `IS NULL OR < OR >` rather than
 * `IS DISTINCT FROM`: three ranges of the (tenant_id, model) index, so a claim reads only the
 * chunks still waiting, however many already have their vector.
 */
export async function claimChunksToEmbed(
  manager: EntityManager,
  tenantId: string,
  settings: EmbeddingSettings,
  limit: number,
): Promise<ChunkToEmbed[]> {
  const column = reembedding(settings) ? 'next_model' : 'embedding_model';
  const result: unknown = await manager.query(
    `WITH picked AS (
       SELECT id FROM knowledge_chunks
        WHERE tenant_id = $1 AND (${column} IS NULL OR ${column} < $2 OR ${column} > $2)
          AND (embedding_claimed_until IS NULL OR embedding_claimed_until < now())
        LIMIT $3
        FOR UPDATE SKIP LOCKED)
     UPDATE knowledge_chunks c
        SET embedding_claimed_until = now() + interval '${CLAIM_MINUTES} minutes'
       FROM picked WHERE c.id = picked.id
     RETURNING c.id, c.content, c.token_count AS "tokenCount"`,
    [tenantId, settings.model, limit],
  );
  return returnedRows<ChunkToEmbed>(result);
}

/** Stores the vectors of claimed chunks (beside the serving ones while re-embedding). */
export async function storeEmbeddings(
  manager: EntityManager,
  backend: VectorBackend,
  settings: EmbeddingSettings,
  vectors: { chunkId: string; vector: number[] }[],
): Promise<void> {
  if (vectors.length === 0) return;
  const [embedding, dims, model] = reembedding(settings)
    ? ['next_embedding', 'next_dims', 'next_model']
    : ['embedding', 'embedding_dims', 'embedding_model'];
  const literal = (vector: number[]) =>
    backend === 'pgvector' ? `[${vector.join(',')}]` : `{${vector.join(',')}}`;
  await manager.query(
    `UPDATE knowledge_chunks c
        SET ${embedding} = v.vec::${vectorCast(backend)}, ${dims} = v.dims, ${model} = $4,
            embedding_claimed_until = NULL
       FROM unnest($1::uuid[], $2::text[], $3::int[]) AS v(id, vec, dims)
      WHERE c.id = v.id`,
    [
      vectors.map((v) => v.chunkId),
      vectors.map((v) => literal(v.vector)),
      vectors.map((v) => v.vector.length),
      settings.model,
    ],
  );
}

/** Gives claimed chunks back (the provider failed): the next try takes them again. */
export async function releaseChunks(manager: EntityManager, chunkIds: string[]): Promise<void> {
  await manager.query(
    `UPDATE knowledge_chunks SET embedding_claimed_until = NULL WHERE id = ANY ($1::uuid[])`,
    [chunkIds],
  );
}

/**
 * After a job's batches: a finished re-embedding swaps the new vectors in (one statement, so a
 * search sees all old or all new), and entries whose every chunk has a serving vector are ready.
 * Returns the serving model.
 */
export async function settleEmbeddings(
  manager: EntityManager,
  tenantId: string,
  settings: EmbeddingSettings,
): Promise<string | null> {
  let serving = settings.servingModel;
  if (reembedding(settings)) {
    const [pending]: unknown[] = await manager.query(
      `SELECT 1 FROM knowledge_chunks
        WHERE tenant_id = $1 AND (next_model IS NULL OR next_model < $2 OR next_model > $2) LIMIT 1`,
      [tenantId, settings.model],
    );
    if (!pending) {
      await manager.query(
        `UPDATE knowledge_chunks
            SET embedding = next_embedding, embedding_dims = next_dims, embedding_model = next_model,
                next_embedding = NULL, next_dims = NULL, next_model = NULL
          WHERE tenant_id = $1`,
        [tenantId],
      );
      await manager.query(
        `UPDATE knowledge_settings SET serving_model = model, serving_provider_id = provider_id,
                updated_at = now()
          WHERE tenant_id = $1`,
        [tenantId],
      );
      serving = settings.model;
    }
  }
  await manager.query(
    `UPDATE knowledge_entries e SET embedding_status = 'ready', embedding_error = NULL
      WHERE e.tenant_id = $1 AND e.embedding_status <> 'ready'
        AND NOT EXISTS (SELECT 1 FROM knowledge_chunks c
                         WHERE c.entry_id = e.id AND c.embedding_model IS DISTINCT FROM $2)`,
    [tenantId, serving],
  );
  return serving;
}

/** Entries still waiting for vectors are marked failed (still searchable by words). */
export async function markEmbeddingFailed(
  manager: EntityManager,
  tenantId: string,
  error: string,
): Promise<void> {
  await manager.query(
    `UPDATE knowledge_entries SET embedding_status = 'failed', embedding_error = $2
      WHERE tenant_id = $1 AND embedding_status = 'pending'`,
    [tenantId, error.slice(0, 1000)],
  );
}

/** Adds one embedding request to the tenant's daily usage (a counter, never read-modify-write). */
export async function recordEmbeddingUsage(
  manager: EntityManager,
  tenantId: string,
  model: string,
  tokens: number,
  costUsd: string,
): Promise<void> {
  await manager.query(
    `INSERT INTO knowledge_embedding_usage (tenant_id, day, model, requests, tokens, cost_usd)
     VALUES ($1, (now() AT TIME ZONE 'UTC')::date, $2, 1, $3, $4)
     ON CONFLICT (tenant_id, day, model) DO UPDATE
       SET requests = knowledge_embedding_usage.requests + 1,
           tokens = knowledge_embedding_usage.tokens + excluded.tokens,
           cost_usd = knowledge_embedding_usage.cost_usd + excluded.cost_usd`,
    [tenantId, model, tokens, costUsd],
  );
}

export interface EmbeddingUsageRow {
  day: string;
  model: string;
  requests: number;
  tokens: number;
  costUsd: string;
}

export async function readEmbeddingUsage(
  manager: EntityManager,
  tenantId: string,
): Promise<EmbeddingUsageRow[]> {
  const rows: { day: string; model: string; requests: string; tokens: string; cost_usd: string }[] =
    await manager.query(
      `SELECT to_char(day, 'YYYY-MM-DD') AS day, model, requests, tokens, cost_usd
         FROM knowledge_embedding_usage WHERE tenant_id = $1 ORDER BY day DESC, model LIMIT 400`,
      [tenantId],
    );
  return rows.map((row) => ({
    day: row.day,
    model: row.model,
    requests: Number(row.requests),
    tokens: Number(row.tokens),
    costUsd: row.cost_usd,
  }));
}

/** Memories written without chunks (by the worker's follow-ups) get theirs. */
export async function indexUnindexedMemories(
  manager: EntityManager,
  tenantId: string,
  limit: number,
): Promise<number> {
  const memories: { id: string; agentId: string; content: string }[] = await manager.query(
    `SELECT m.id, m.agent_id AS "agentId", m.content FROM agent_memories m
      WHERE m.tenant_id = $1
        AND NOT EXISTS (SELECT 1 FROM knowledge_chunks c WHERE c.memory_id = m.id)
      LIMIT $2`,
    [tenantId, limit],
  );
  for (const memory of memories) await indexMemory(manager, tenantId, memory);
  return memories.length;
}
