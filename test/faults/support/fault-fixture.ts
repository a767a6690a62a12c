import { createDataSource } from '@agentq/database';
import {
  createTestDatabase,
  createTestQueuePrefix,
  deleteRedisKeys,
  FakeProviderServer,
  testServices,
} from '@agentq/testing';
import { DataSource } from 'typeorm';
import { FaultStack, StackServices } from './fault-stack';
import { installTransitionAudit } from './ledger';
import { StalledWatch } from './stalled-watch';

export interface FaultFixture {
  stack: FaultStack;
  fake: FakeProviderServer;
  dataSource: DataSource;
  stalled: StalledWatch;
  teardown(): Promise<void>;
}

export interface FixtureOptions {
  /** Default: a clone of this run's test database on the shared PostgreSQL. */
  databaseUrl?: string;
  /** Default: the shared Redis, under a key prefix of the test's own. */
  redisUrl?: string;
  env?: NodeJS.ProcessEnv;
  /** Provider latency of a normal reply. */
  replyDelayMs?: number;
}

/** A database, Redis prefix, fake provider, transition audit and an API process, ready for work. */
export async function startFaultFixture(options: FixtureOptions = {}): Promise<FaultFixture> {
  const database = options.databaseUrl ? null : await createTestDatabase();
  const redisUrl = options.redisUrl ?? testServices.redisUrl();
  const services: StackServices = {
    databaseUrl: options.databaseUrl ?? database!.url,
    redisUrl,
    prefix: createTestQueuePrefix(),
  };
  const dataSource = createDataSource({
    url: services.databaseUrl,
    poolSize: 4,
    applicationName: 'agentq-fault-suite',
  });
  const fake = new FakeProviderServer();
  const stalled = new StalledWatch(redisUrl, services.prefix);
  const stack = new FaultStack(services, options.env);
  const teardown = async () => {
    await stack.stop();
    await stalled.close().catch(() => undefined);
    await fake.stop().catch(() => undefined);
    if (dataSource.isInitialized) await dataSource.destroy().catch(() => undefined);
    await database?.drop();
    if (!options.redisUrl) await deleteRedisKeys(services.prefix);
  };
  try {
    await dataSource.initialize();
    await installTransitionAudit(dataSource);
    await fake.start();
    fake.setDefault({
      kind: 'delay',
      ms: options.replyDelayMs ?? 50,
      then: { kind: 'reply', text: 'ok', promptTokens: 120, completionTokens: 30 },
    });
    await stalled.ready();
    await stack.startApi();
    await stack.setUpAgent(fake.url);
  } catch (error) {
    await teardown();
    throw error;
  }
  return { stack, fake, dataSource, stalled, teardown };
}
