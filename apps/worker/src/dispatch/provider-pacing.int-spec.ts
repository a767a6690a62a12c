import { randomUUID } from 'node:crypto';
import { AppConfig } from '@agentq/config';
import { ChannelListener, RedisConnections } from '@agentq/redis';
import { createTestQueuePrefix, deleteRedisKeys, testAppConfig } from '@agentq/testing';
import { Registry } from 'prom-client';
import { DispatchMetrics } from './dispatch-metrics.service';
import { PacedProvider, ProviderPacing } from './provider-pacing.service';

// Rate-limit turns and provider pauses against the real Redis, as several workers share them.
describe('ProviderPacing', () => {
  let config: AppConfig;
  let connections: RedisConnections;
  let registry: Registry;
  let pacing: ProviderPacing;
  let otherWorker: ProviderPacing;

  beforeAll(async () => {
    config = testAppConfig('postgres://unused', createTestQueuePrefix());
    connections = new RedisConnections(config, 'worker');
    registry = new Registry();
    pacing = new ProviderPacing(
      connections,
      new DispatchMetrics(registry),
      new ChannelListener(connections),
    );
    otherWorker = new ProviderPacing(
      connections,
      new DispatchMetrics(new Registry()),
      new ChannelListener(connections),
    );
    await pacing.onModuleInit();
    await otherWorker.onModuleInit();
  });

  afterAll(async () => {
    await connections.onApplicationShutdown();
    await deleteRedisKeys(config.redis.prefix);
  });

  const provider = (rateLimit: PacedProvider['rateLimit']): PacedProvider => ({
    id: randomUUID(),
    rateLimit,
  });

  it('spaces calls evenly and keeps a granted turn for its execution', async () => {
    // One call a second: wide enough that a busy machine's pauses between the asks below (a
    // tenth of a second was not) cannot carry b past its turn before it asks again.
    const paced = provider({ requestsPerMinute: 60 });
    expect(await pacing.takeTurn(paced, 'a', 10)).toBeNull();
    const b = await otherWorker.takeTurn(paced, 'b', 10);
    const c = await pacing.takeTurn(paced, 'c', 10);
    expect(b).toMatchObject({ reason: 'rate_limit' });
    expect(b!.delayMs).toBeGreaterThan(0);
    expect(b!.delayMs).toBeLessThanOrEqual(1_000);
    // c's turn is a second after b's, whatever time passed between the two asks.
    expect(c!.delayMs - b!.delayMs).toBeGreaterThan(500);
    expect(c!.delayMs).toBeLessThanOrEqual(2_000);
    // Asking again before its turn does not move b to the end of the line.
    expect((await pacing.takeTurn(paced, 'b', 10))!.delayMs).toBeLessThanOrEqual(1_000);
    await new Promise((resolve) => setTimeout(resolve, 1_010));
    expect(await pacing.takeTurn(paced, 'b', 10)).toBeNull();
  });

  it('spends a tokens-per-minute budget by the estimate, corrected by the real usage', async () => {
    const paced = provider({ tokensPerMinute: 60_000 }); // 1 ms per token
    expect(await pacing.takeTurn(paced, 'a', 500)).toBeNull();
    // a used 100 tokens, not 500: 400 ms handed back.
    await pacing.correctTokens(paced, 500, 100);
    const b = await pacing.takeTurn(paced, 'b', 10);
    expect(b!.delayMs).toBeLessThanOrEqual(100);
  });

  it('pauses a provider for every worker and drops turns granted inside the pause', async () => {
    const paced = provider({ requestsPerMinute: 600 });
    expect(await pacing.takeTurn(paced, 'a', 1)).toBeNull();
    expect(await pacing.takeTurn(paced, 'b', 1)).toMatchObject({ reason: 'rate_limit' });
    expect(await pacing.pause(paced.id, 1_000)).toBe(1_000);
    const b = await otherWorker.takeTurn(paced, 'b', 1);
    expect(b).toMatchObject({ reason: 'provider_paused' });
    expect(b!.delayMs).toBeGreaterThan(500);
    // A shorter pause does not shorten it, and counts no extra paused time.
    expect(await otherWorker.pause(paced.id, 200)).toBeGreaterThan(500);
    const seconds = await registry.getSingleMetric('agentq_provider_paused_seconds_total')!.get();
    expect(seconds.values).toEqual([
      expect.objectContaining({ labels: { provider_id: paced.id }, value: 1 }),
    ]);
  });

  it('tells workers of a pause of a provider without a rate limit, in memory', async () => {
    const unlimited = provider(null);
    expect(await otherWorker.takeTurn(unlimited, 'a', 1)).toBeNull();
    await pacing.pause(unlimited.id, 1_000);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await otherWorker.takeTurn(unlimited, 'a', 1)).toMatchObject({
      reason: 'provider_paused',
    });
  });

  it('lets a worker that starts during a pause read it', async () => {
    const unlimited = provider(null);
    await pacing.pause(unlimited.id, 1_000);
    const lateWorker = new ProviderPacing(
      connections,
      new DispatchMetrics(new Registry()),
      new ChannelListener(connections),
    );
    expect(await lateWorker.takeTurn(unlimited, 'a', 1)).toMatchObject({
      reason: 'provider_paused',
    });
  });

  it('counts the pauses an execution’s own calls met', async () => {
    const executionId = randomUUID();
    expect(await pacing.countPause(executionId)).toBe(1);
    expect(await otherWorker.countPause(executionId)).toBe(2);
  });
});
