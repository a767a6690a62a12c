import { Injectable } from '@nestjs/common';
import { EmbeddingAdapters, EmbeddingProviderRow } from '@agentq/knowledge';

const QUERY_TIMEOUT_MS = 10_000;

/**
 * Embeds a search query with the model whose vectors are serving. One short call per search,
 * not paced: when it fails (rate limit, provider down), the search answers by words alone.
 */
@Injectable()
export class QueryEmbedder {
  constructor(private readonly embeddingAdapters: EmbeddingAdapters) {}

  async embed(tenantId: string, provider: EmbeddingProviderRow, model: string, text: string) {
    const result = await this.embeddingAdapters.for(tenantId, provider).embed({
      model,
      texts: [text],
      signal: AbortSignal.timeout(QUERY_TIMEOUT_MS),
    });
    return result.vectors[0];
  }
}
