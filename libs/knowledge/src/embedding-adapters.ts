import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@agentq/config';
import { CredentialCipher } from '@agentq/crypto';
import {
  createEmbeddingAdapter,
  createProviderOutboundClient,
  EmbeddingAdapter,
} from '@agentq/llm';
import { OutboundClient } from '@agentq/outbound';
import { EmbeddingProviderRow } from './knowledge-embeddings';

const MAX_CACHED_ADAPTERS = 100;

/**
 * Embedding adapters by provider, with the provider's key decrypted once; a change to the
 * provider row (its key, URL or settings) makes a new one. One per process: every adapter shares
 * its outbound client (connection pools, the private-address rule), closed at shutdown.
 */
@Injectable()
export class EmbeddingAdapters implements OnApplicationShutdown {
  private readonly cache = new Map<string, EmbeddingAdapter>();
  private readonly outbound: OutboundClient;

  constructor(
    private readonly cipher: CredentialCipher,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.outbound = createProviderOutboundClient(config.providers.blockPrivateUrls);
  }

  onApplicationShutdown(): Promise<void> {
    return this.outbound.close();
  }

  for(tenantId: string, provider: EmbeddingProviderRow): EmbeddingAdapter {
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
