import { AppConfig, loadConfig } from '@agentq/config';

export const TEST_ADMIN_TOKEN = 'test-admin-token-0123456789abcdef';
export const TEST_MASTER_KEY = Buffer.alloc(32, 42).toString('base64');

/** A validated config pointing at a test database and Redis prefix. */
export function testAppConfig(
  databaseUrl: string,
  queuePrefix: string,
  overrides: NodeJS.ProcessEnv = {},
): AppConfig {
  return loadConfig({
    NODE_ENV: 'test',
    DATABASE_URL: databaseUrl,
    DATABASE_POOL_SIZE: '5',
    REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    QUEUE_PREFIX: queuePrefix,
    AGENTQ_ADMIN_TOKEN: TEST_ADMIN_TOKEN,
    AGENTQ_MASTER_KEY: TEST_MASTER_KEY,
    LOG_LEVEL: 'warn',
    LOG_FORMAT: 'pretty',
    // Many workers share one machine in tests: no fixed metrics port.
    METRICS_PORT: '0',
    ...overrides,
  });
}
