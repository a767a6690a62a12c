import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { ProviderRateLimit } from '@agentq/database';
import { channels } from '@agentq/jobs';
import { LlmProviderAdapter } from '@agentq/llm';
import { formatDuration } from '@agentq/logging';
import { ChannelListener, RedisClient, RedisConnections } from '@agentq/redis';
import { DispatchDeferral } from './dispatch-deferral';
import { DispatchMetrics } from './dispatch-metrics.service';
import { CORRECT_TOKENS, PAUSE_PROVIDER, TAKE_TURN } from './dispatch-scripts';
import { PacedAdapter } from './paced-adapter';
import { pacingIntervals } from './provider-pause-policy';

/** The provider fields pacing reads, as the claim loads them. */
export interface PacedProvider {
  id: string;
  rateLimit: ProviderRateLimit | null;
}

const PAUSE_COUNT_TTL_MS = 24 * 3_600_000;

/**
 * A provider's pace, shared by every worker through Redis: its requests and tokens per minute
 * (a send time granted per call) and its pauses after a 429. Providers without a rate limit
 * cost no Redis command per call: their pauses reach every worker by pub/sub and are checked
 * in memory (after one read of the pause key per provider and process).
 */
@Injectable()
export class ProviderPacing implements OnModuleInit {
  private readonly logger = new Logger(ProviderPacing.name);
  private readonly redis: RedisClient;
  private readonly channel: string;
  private readonly keyPrefix: string;
  // Provider id → end of its pause (this process's clock), as announced.
  private readonly pausedUntil = new Map<string, number>();
  // Providers whose pause this process has read from Redis once (it may start mid-pause).
  private readonly pauseRead = new Set<string>();
  // Execution id → tokens of the turn its admission took for its first call.
  private readonly admitted = new Map<string, number>();

  constructor(
    connections: RedisConnections,
    private readonly metrics: DispatchMetrics,
    private readonly listener: ChannelListener,
  ) {
    this.redis = connections.queues;
    this.channel = channels.providerPauses(connections.prefix);
    this.keyPrefix = `${connections.prefix}:dispatch`;
  }

  async onModuleInit() {
    await this.listener.listen(this.channel, (message) => {
      const [providerId, remainingMs] = message.split(' ');
      this.notePause(providerId, Number(remainingMs));
    });
  }

  /** Decorates a provider's adapter for one attempt: every model call it makes is paced. */
  paced(adapter: LlmProviderAdapter, executionId: string, provider: PacedProvider) {
    return new PacedAdapter(adapter, this, executionId, provider);
  }

  /** A send turn for one call now, or how long to wait for it. */
  async takeTurn(
    provider: PacedProvider,
    executionId: string,
    tokens: number,
  ): Promise<DispatchDeferral | null> {
    const { requestIntervalMs, tokenIntervalMs } = pacingIntervals(provider.rateLimit);
    if (requestIntervalMs === 0 && tokenIntervalMs === 0) {
      if (!this.pauseRead.has(provider.id)) {
        this.pauseRead.add(provider.id);
        this.notePause(provider.id, await this.redis.pttl(this.key(provider.id, 'paused')));
      }
      return this.knownPause(provider.id);
    }
    const [verdict, waitMs] = (await this.redis.eval(
      TAKE_TURN,
      3,
      this.key(provider.id, 'pacing'),
      this.key(provider.id, 'paused'),
      this.key(provider.id, 'turns'),
      executionId,
      requestIntervalMs,
      tokenIntervalMs,
      tokens,
    )) as [string, number];
    if (verdict === 'ok') return null;
    return new DispatchDeferral(verdict as 'rate_limit' | 'provider_paused', Number(waitMs));
  }

  /** A pause this process knows of (its own, or announced), without asking Redis. */
  knownPause(providerId: string): DispatchDeferral | null {
    const leftMs = (this.pausedUntil.get(providerId) ?? 0) - Date.now();
    return leftMs > 0 ? new DispatchDeferral('provider_paused', leftMs) : null;
  }

  /** After the call: the tokens budget takes the real usage instead of the estimate. */
  async correctTokens(provider: PacedProvider, estimated: number, used: number): Promise<void> {
    const { tokenIntervalMs } = pacingIntervals(provider.rateLimit);
    if (tokenIntervalMs === 0 || used === estimated) return;
    await this.redis.eval(
      CORRECT_TOKENS,
      1,
      this.key(provider.id, 'pacing'),
      (used - estimated) * tokenIntervalMs,
    );
  }

  /** Pauses the provider for every worker; returns how long the pause has left. */
  async pause(providerId: string, pauseMs: number): Promise<number> {
    const [remainingMs, addedMs] = (await this.redis.eval(
      PAUSE_PROVIDER,
      2,
      this.key(providerId, 'pacing'),
      this.key(providerId, 'paused'),
      pauseMs,
    )) as [number, number];
    this.metrics.providerPaused(providerId, addedMs);
    this.notePause(providerId, remainingMs);
    if (addedMs > 0) {
      this.logger.warn(`provider ${providerId}: paused for ${formatDuration(remainingMs)}`);
      await this.redis.publish(this.channel, `${providerId} ${remainingMs}`).catch(() => 0);
    }
    return remainingMs;
  }

  /** How many provider pauses this execution's own calls have met, this one included. */
  async countPause(executionId: string): Promise<number> {
    const key = `${this.keyPrefix}:pauses:${executionId}`;
    const count = await this.redis.incr(key);
    await this.redis.pexpire(key, PAUSE_COUNT_TTL_MS);
    return count;
  }

  /** The admission took the first call's turn (with this many tokens): the call need not. */
  admit(executionId: string, tokens: number): void {
    this.admitted.set(executionId, tokens);
  }

  takeAdmission(executionId: string): number | undefined {
    const tokens = this.admitted.get(executionId);
    this.admitted.delete(executionId);
    return tokens;
  }

  forget(executionId: string): void {
    this.admitted.delete(executionId);
  }

  private notePause(providerId: string, remainingMs: number) {
    if (!providerId || !(remainingMs > 0)) return;
    const until = Date.now() + remainingMs;
    if ((this.pausedUntil.get(providerId) ?? 0) < until) this.pausedUntil.set(providerId, until);
    for (const [id, end] of this.pausedUntil) if (end < Date.now()) this.pausedUntil.delete(id);
  }

  private key(providerId: string, name: string): string {
    return `${this.keyPrefix}:{provider:${providerId}}:${name}`;
  }
}
