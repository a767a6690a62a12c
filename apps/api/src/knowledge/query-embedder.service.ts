import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@agentq/config';
import { CredentialCipher } from '@agentq/crypto';
import { EmbeddingAdapters, EmbeddingProviderRow } from '@agentq/knowledge';
import { createProviderOutboundClient } from '@agentq/llm';
import { OutboundClient } from '@agentq/outbound';

const QUERY_TIMEOUT_MS = 10_000;

/**
 * Embeds a search query with the model whose vectors are serving. One short call per search,
 * not paced: when it fails (rate limit, provider down), the search answers by words alone.
 */
@Injectable()
export class QueryEmbedder implements OnApplicationShutdown {
  private readonly outbound: OutboundClient;
  private readonly embeddingAdapters: EmbeddingAdapters;

  constructor(cipher: CredentialCipher, @Inject(APP_CONFIG) config: AppConfig) {
    this.outbound = createProviderOutboundClient(config.providers.blockPrivateUrls);
    this.embeddingAdapters = new EmbeddingAdapters(cipher, this.outbound);
  }

  onApplicationShutdown(): Promise<void> {
    return this.outbound.close();
  }

  async embed(tenantId: string, provider: EmbeddingProviderRow, model: string, text: string) {
    const result = await this.embeddingAdapters.for(tenantId, provider).embed({
      model,
      texts: [text],
      signal: AbortSignal.timeout(QUERY_TIMEOUT_MS),
    });
    return result.vectors[0];
  }
}
