import {
  createTestDatabase,
  createTestQueuePrefix,
  deleteRedisKeys,
  TEST_ADMIN_TOKEN,
  TEST_MASTER_KEY,
  TestDatabase,
} from '@agentq/testing';
import { RunningProcess, startProcess } from './child-process';
import { HttpClient } from './http-client';

/**
 * For a describe block: a test database and Redis prefix of its own, removed after it, and the
 * environment the built entry points need to run on them.
 */
export function useBuiltProcessEnv(): () => NodeJS.ProcessEnv {
  let database: TestDatabase;
  let env: NodeJS.ProcessEnv;
  beforeAll(async () => {
    database = await createTestDatabase();
    env = builtProcessEnv(database.url, createTestQueuePrefix());
  });
  afterAll(async () => {
    await database.drop();
    await deleteRedisKeys(env.QUEUE_PREFIX!);
  });
  return () => env;
}

function builtProcessEnv(databaseUrl: string, prefix: string): NodeJS.ProcessEnv {
  return {
    DATABASE_URL: databaseUrl,
    REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    QUEUE_PREFIX: prefix,
    AGENTQ_ADMIN_TOKEN: TEST_ADMIN_TOKEN,
    AGENTQ_MASTER_KEY: TEST_MASTER_KEY,
    LOG_FORMAT: 'json',
  };
}

export interface ApiProcess {
  process: RunningProcess;
  http: HttpClient;
}

/** The built API on a free port; killed if it does not come up. */
export async function startApiProcess(env: NodeJS.ProcessEnv): Promise<ApiProcess> {
  const api = startProcess('dist/apps/api/src/main.js', { ...env, PORT: '0' });
  try {
    // Generous: booting takes many seconds on a busy two-core machine.
    await api.waitForOutput(/listening on/, 45_000);
  } catch (error) {
    api.child.kill('SIGKILL');
    throw error;
  }
  const url = /listening on (http:\/\/[^\s"]+)/.exec(api.output())?.[1] ?? '';
  return { process: api, http: new HttpClient(url.replace('[::1]', '127.0.0.1')) };
}
