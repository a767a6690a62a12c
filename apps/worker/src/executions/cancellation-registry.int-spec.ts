import { randomUUID } from 'node:crypto';
import { channels } from '@agentq/jobs';
import { ChannelListener, RedisConnections } from '@agentq/redis';
import { createTestQueuePrefix, deleteRedisKeys, testAppConfig } from '@agentq/testing';
import { CancellationRegistry } from './cancellation-registry.service';

// Cancel requests over the real Redis pub/sub channel, as ExecutionAborter publishes them.
describe('CancellationRegistry', () => {
  const config = testAppConfig('postgres://unused', createTestQueuePrefix());
  let connections: RedisConnections;
  let registry: CancellationRegistry;

  beforeAll(async () => {
    connections = new RedisConnections(config, 'worker');
    registry = new CancellationRegistry(connections, new ChannelListener(connections));
    await registry.onModuleInit();
  });

  afterAll(async () => {
    await connections.onApplicationShutdown();
    await deleteRedisKeys(config.redis.prefix);
  });

  const cancel = async (executionId: string) => {
    await connections.commands.publish(channels.cancelRequests(connections.prefix), executionId);
    // The message has reached the subscriber once a round trip on the same server is over.
    await new Promise((resolve) => setTimeout(resolve, 200));
  };

  it('aborts a registered attempt', async () => {
    const executionId = randomUUID();
    const controller = registry.register(executionId);
    await cancel(executionId);
    expect(controller.signal.aborted).toBe(true);
    registry.unregister(executionId);
  });

  it('aborts an attempt that registers just after its cancel arrived (claimed, not yet calling)', async () => {
    const executionId = randomUUID();
    await cancel(executionId);
    const controller = registry.register(executionId);
    expect(controller.signal.aborted).toBe(true);
    registry.unregister(executionId);
  });

  it('leaves other executions alone', async () => {
    await cancel(randomUUID());
    const controller = registry.register(randomUUID());
    expect(controller.signal.aborted).toBe(false);
  });
});
