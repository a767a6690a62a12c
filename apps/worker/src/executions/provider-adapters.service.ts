import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { APP_CONFIG, AppConfig } from '@agentq/config';
import { CredentialCipher } from '@agentq/crypto';
import { inTenantTransaction } from '@agentq/database';
import {
  createLlmAdapter,
  createProviderOutboundClient,
  LlmProviderAdapter,
  redactSecretInErrors,
} from '@agentq/llm';
import { ClaimedExecution } from '@agentq/executions';
import { OutboundClient } from '@agentq/outbound';
import { DataSource } from 'typeorm';
import { ProviderPacing } from '../dispatch/provider-pacing.service';
import { chainEntries, fallbackAfterMs } from './model-chain';

type ChainProvider = ClaimedExecution['provider'];

/** One entry of an attempt's model chain, ready to call. */
export interface ChainLink {
  provider: ChainProvider;
  model: string;
  adapter: LlmProviderAdapter;
  isLastEntry: boolean;
  /** How long the provider's pause (a 429's, or a cooldown) has left, as this worker knows it. */
  pauseLeftMs(): number | null;
  /** Every worker passes the provider over for PROVIDER_FALLBACK_COOLDOWN_MS. */
  coolDown(): Promise<void>;
}

// Only for agents with fallbacks: the claim loads the agent's own provider.
const FALLBACK_PROVIDERS_SQL = `
SELECT id, type, base_url, api_key_ciphertext, settings, pricing, rate_limit, is_active, updated_at
  FROM llm_providers WHERE id = ANY($1::uuid[])`;

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
  private readonly cooldownMs: number;

  constructor(
    private readonly cipher: CredentialCipher,
    private readonly pacing: ProviderPacing,
    @Inject(APP_CONFIG) config: AppConfig,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {
    this.outbound = createProviderOutboundClient(config.providers.blockPrivateUrls);
    this.cooldownMs = config.providers.fallbackCooldownMs;
  }

  // After the processors have drained or handed back their jobs: close() waits for open calls.
  onApplicationShutdown(): Promise<void> {
    return this.outbound.close();
  }

  /**
   * The agent's provider and model, then its llmConfig.fallbacks, each paced for this attempt.
   * A fallback whose provider is gone or inactive is left out. Every entry but the last passes
   * waits longer than fallbackAfterMs on to the chain instead of taking them.
   */
  async chainFor(execution: ClaimedExecution): Promise<ChainLink[]> {
    const entries = chainEntries(execution.agent.llmConfig, execution.provider.id);
    const others = entries.slice(1).map((entry) => entry.providerId);
    const providers = new Map<string, ChainProvider>([[execution.provider.id, execution.provider]]);
    if (others.length > 0) {
      for (const provider of await this.loadProviders(execution.tenantId, others)) {
        if (provider.isActive) providers.set(provider.id, provider);
      }
    }
    const usable = entries.filter((entry, index) => index === 0 || providers.has(entry.providerId));
    const afterMs = fallbackAfterMs(execution.agent.llmConfig);
    return Promise.all(
      usable.map(async (entry, index) => {
        const provider = providers.get(entry.providerId)!;
        const isLastEntry = index === usable.length - 1;
        const shared = await this.shared(execution.tenantId, provider);
        const adapter = this.pacing.paced(
          shared,
          execution.id,
          provider,
          isLastEntry ? undefined : afterMs,
        );
        return {
          provider,
          model: entry.model,
          adapter,
          isLastEntry,
          pauseLeftMs: () => this.pacing.knownPause(provider.id)?.delayMs ?? null,
          coolDown: async () => {
            await this.pacing.pause(provider.id, this.cooldownMs);
          },
        };
      }),
    );
  }

  private async loadProviders(tenantId: string, ids: string[]): Promise<ChainProvider[]> {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const rows: Record<string, any>[] = await inTenantTransaction(this.dataSource, tenantId, (m) =>
      m.query(FALLBACK_PROVIDERS_SQL, [ids]),
    );
    return rows.map((row) => ({
      id: row.id,
      type: row.type,
      baseUrl: row.base_url,
      apiKeyCiphertext: row.api_key_ciphertext,
      settings: row.settings,
      pricing: row.pricing,
      rateLimit: row.rate_limit,
      isActive: row.is_active,
      updatedAt: row.updated_at,
    }));
  }

  private async shared(tenantId: string, provider: ChainProvider): Promise<LlmProviderAdapter> {
    const key = `${provider.id}:${new Date(provider.updatedAt).getTime()}`;
    const cached = this.cache.get(key);
    if (cached) return cached;
    const apiKey = provider.apiKeyCiphertext
      ? this.cipher.decrypt(provider.apiKeyCiphertext, {
          tenantId,
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
