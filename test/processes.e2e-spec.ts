import {
  createTestDatabase,
  createTestQueuePrefix,
  deleteRedisKeys,
  TEST_ADMIN_TOKEN,
  TEST_MASTER_KEY,
  TestDatabase,
} from '@agentq/testing';
import { startProcess } from './support/child-process';

/** The built entry points, run as an operator would: env-configured, stopped with SIGTERM. */
describe('api and worker processes', () => {
  let database: TestDatabase;
  let prefix: string;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    database = await createTestDatabase();
    prefix = createTestQueuePrefix();
    env = {
      DATABASE_URL: database.url,
      REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
      QUEUE_PREFIX: prefix,
      AGENTQ_ADMIN_TOKEN: TEST_ADMIN_TOKEN,
      AGENTQ_MASTER_KEY: TEST_MASTER_KEY,
      LOG_FORMAT: 'json',
    };
  });

  afterAll(async () => {
    await database.drop();
    await deleteRedisKeys(prefix);
  });

  it('worker boots, then exits 0 on SIGTERM', async () => {
    const worker = startProcess('dist/apps/worker/src/main.js', env);
    await worker.waitForOutput(/running with concurrency/);
    worker.child.kill('SIGTERM');
    expect(await worker.exited).toEqual({ code: 0, signal: null });
    expect(worker.output()).toContain('worker stopped');
  });

  it('api serves /health/ready, then exits on SIGTERM', async () => {
    const api = startProcess('dist/apps/api/src/main.js', { ...env, PORT: '0' });
    await api.waitForOutput(/listening on/);
    const url = /listening on (http:\/\/\S+?)"?\s*[,}\n]/.exec(api.output())?.[1] ?? '';
    const ready = await fetch(`${url.replace('[::1]', '127.0.0.1')}/health/ready`);
    expect(ready.status).toBe(200);
    api.child.kill('SIGTERM');
    expect((await api.exited).code).toBe(0);
  });

  it('refuses to start with a missing variable, naming it', async () => {
    const worker = startProcess('dist/apps/worker/src/main.js', { ...env, AGENTQ_MASTER_KEY: '' });
    expect((await worker.exited).code).toBe(1);
    expect(worker.output()).toContain('AGENTQ_MASTER_KEY is required');
  });
});
