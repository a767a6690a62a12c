import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@agentq/config';
import { CredentialCipher } from '@agentq/crypto';
import {
  createLlmAdapter,
  LlmError,
  LlmProviderAdapter,
  privateDestinationProblem,
  redactSecretInErrors,
} from '@agentq/llm';
import { ClaimedExecution } from '@agentq/executions';

const MAX_CACHED_ADAPTERS = 200;

/**
 * Adapters per provider row version, so SDK clients are reused across jobs. The API key is
 * decrypted here, in the worker only, and lives in memory only.
 */
@Injectable()
export class ProviderAdapters {
  private readonly cache = new Map<string, LlmProviderAdapter>();

  constructor(
    private readonly cipher: CredentialCipher,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** @throws CredentialDecryptionError, or a permanent LlmError for a forbidden destination */
  async forExecution(execution: ClaimedExecution): Promise<LlmProviderAdapter> {
    const { provider } = execution;
    const key = `${provider.id}:${new Date(provider.updatedAt).getTime()}`;
    const cached = this.cache.get(key);
    if (cached) return cached;
    if (provider.baseUrl && this.config.providers.blockPrivateUrls) {
      const problem = await privateDestinationProblem(provider.baseUrl);
      if (problem) {
        throw new LlmError({ kind: 'permanent', code: 'provider_misconfigured', message: problem });
      }
    }
    const apiKey = provider.apiKeyCiphertext
      ? this.cipher.decrypt(provider.apiKeyCiphertext, {
          tenantId: execution.tenantId,
          providerId: provider.id,
        })
      : null;
    const adapter = redactSecretInErrors(
      createLlmAdapter({
        type: provider.type,
        apiKey,
        baseUrl: provider.baseUrl,
        settings: provider.settings ?? {},
      }),
      apiKey,
    );
    if (this.cache.size >= MAX_CACHED_ADAPTERS) this.cache.delete(this.cache.keys().next().value!);
    this.cache.set(key, adapter);
    return adapter;
  }
}
