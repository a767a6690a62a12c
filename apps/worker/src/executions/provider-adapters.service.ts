import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@agentq/config';
import { CredentialCipher } from '@agentq/crypto';
import {
  createLlmAdapter,
  createProviderOutboundClient,
  LlmProviderAdapter,
  redactSecretInErrors,
} from '@agentq/llm';
import { ClaimedExecution } from '@agentq/executions';
import { OutboundClient } from '@agentq/outbound';
import { ProviderPacing } from '../dispatch/provider-pacing.service';

const MAX_CACHED_ADAPTERS = 200;

/**
 * Adapters per provider row version, so SDK clients are reused across jobs. The API key is
 * decrypted here, in the worker only, and lives in memory only. Every adapter calls out through
 * one outbound client, which applies the destination policy to each connection it makes.
 */
@Injectable()
export class ProviderAdapters implements OnApplicationShutdown {
  private readonly cache = new Map<string, LlmProviderAdapter>();
  private readonly outbound: OutboundClient;

  constructor(
    private readonly cipher: CredentialCipher,
    private readonly pacing: ProviderPacing,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.outbound = createProviderOutboundClient(config.providers.blockPrivateUrls);
  }

  // After the processors have drained or handed back their jobs: close() waits for open calls.
  onApplicationShutdown(): Promise<void> {
    return this.outbound.close();
  }

  /**
   * The provider's adapter for one attempt, paced (see ProviderPacing): get it once per attempt.
   * @throws CredentialDecryptionError
   */
  async forExecution(execution: ClaimedExecution): Promise<LlmProviderAdapter> {
    return this.pacing.paced(await this.shared(execution), execution.id, execution.provider);
  }

  private async shared(execution: ClaimedExecution): Promise<LlmProviderAdapter> {
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
    const adapter = redactSecretInErrors(
      createLlmAdapter(
        {
          type: provider.type,
          apiKey,
          baseUrl: provider.baseUrl,
          settings: provider.settings ?? {},
        },
        this.outbound,
      ),
      apiKey,
    );
    if (this.cache.size >= MAX_CACHED_ADAPTERS) this.cache.delete(this.cache.keys().next().value!);
    this.cache.set(key, adapter);
    return adapter;
  }
}
