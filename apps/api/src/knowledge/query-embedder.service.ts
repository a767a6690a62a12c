import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@agentq/config';
import { CredentialCipher } from '@agentq/crypto';
import { EmbeddingProviderRow } from '@agentq/knowledge';
import {
  createEmbeddingAdapter,
  createProviderOutboundClient,
  EmbeddingAdapter,
} from '@agentq/llm';
import { OutboundClient } from '@agentq/outbound';

const QUERY_TIMEOUT_MS = 10_000;
const MAX_CACHED_ADAPTERS = 100;

/**
 * Embeds a search query with the model whose vectors are serving. One short call per search,
 * not paced: when it fails (rate limit, provider down), the search answers by words alone.
 */
@Injectable()
export class QueryEmbedder implements OnApplicationShutdown {
  private readonly outbound: OutboundClient;
  private readonly cache = new Map<string, EmbeddingAdapter>();

  constructor(
    private readonly cipher: CredentialCipher,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.outbound = createProviderOutboundClient(config.providers.blockPrivateUrls);
  }

  onApplicationShutdown(): Promise<void> {
    return this.outbound.close();
  }

  async embed(tenantId: string, provider: EmbeddingProviderRow, model: string, text: string) {
    const result = await this.adapter(tenantId, provider).embed({
      model,
      texts: [text],
      signal: AbortSignal.timeout(QUERY_TIMEOUT_MS),
    });
    return result.vectors[0];
  }

  private adapter(tenantId: string, provider: EmbeddingProviderRow): EmbeddingAdapter {
    const key = `${provider.id}:${new Date(provider.updatedAt).getTime()}`;
    const cached = this.cache.get(key);
    if (cached) return cached;
    const apiKey = provider.apiKeyCiphertext
      ? this.cipher.decrypt(provider.apiKeyCiphertext, { tenantId, providerId: provider.id })
      : null;
    const adapter = createEmbeddingAdapter(
      { type: provider.type, apiKey, baseUrl: provider.baseUrl, settings: provider.settings ?? {} },
      this.outbound,
    );
    if (this.cache.size >= MAX_CACHED_ADAPTERS) this.cache.delete(this.cache.keys().next().value!);
    this.cache.set(key, adapter);
    return adapter;
  }
}
