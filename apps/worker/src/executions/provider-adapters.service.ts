import { Injectable } from '@nestjs/common';
import { CredentialCipher } from '@agentq/crypto';
import { createLlmAdapter, LlmProviderAdapter } from '@agentq/llm';
import { ClaimedExecution } from './claimed-execution';

const MAX_CACHED_ADAPTERS = 200;

/**
 * Adapters per provider row version, so SDK clients are reused across jobs. The API key is
 * decrypted here, in the worker only, and lives in memory only.
 */
@Injectable()
export class ProviderAdapters {
  private readonly cache = new Map<string, LlmProviderAdapter>();

  constructor(private readonly cipher: CredentialCipher) {}

  forExecution(execution: ClaimedExecution): LlmProviderAdapter {
    const { provider } = execution;
    const key = `${provider.id}:${new Date(provider.updatedAt).getTime()}`;
    const cached = this.cache.get(key);
    if (cached) return cached;
    const apiKey = provider.apiKeyCiphertext
      ? this.cipher.decrypt(provider.apiKeyCiphertext, {
          tenantId: execution.tenantId,
          providerId: provider.id,
        })
      : null;
    const adapter = createLlmAdapter({
      type: provider.type,
      apiKey,
      baseUrl: provider.baseUrl,
      settings: provider.settings ?? {},
    });
    if (this.cache.size >= MAX_CACHED_ADAPTERS) this.cache.delete(this.cache.keys().next().value!);
    this.cache.set(key, adapter);
    return adapter;
  }
}
