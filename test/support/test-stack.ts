import { INestApplication, INestApplicationContext } from '@nestjs/common';
import { AppConfig } from '@agentq/config';
import { createDataSource } from '@agentq/database';
import {
  createTestDatabase,
  createTestQueuePrefix,
  deleteRedisKeys,
  TEST_ADMIN_TOKEN,
  testAppConfig,
  TestDatabase,
} from '@agentq/testing';
import { DataSource } from 'typeorm';
import { createApiApp } from '../../apps/api/src/create-api-app';
import { createWorkerApp } from '../../apps/worker/src/create-worker-app';
import { HttpClient } from './http-client';
import { TestLog, TestLogLogger } from './test-log';

export interface TestTenant {
  id: string;
  apiKey: string;
}

export interface TestStack {
  config: AppConfig;
  database: TestDatabase;
  /**
   * The schema owner's connection, for tests to arrange and inspect rows across tenants (the
   * API and workers act as agentq_app, under row-level security).
   */
  db: DataSource;
  api: INestApplication;
  http: HttpClient;
  adminToken: string;
  workers: INestApplicationContext[];
  /** Where the API and the workers log (not to the test run's output). */
  log: TestLog;
  createTenant(name?: string): Promise<TestTenant>;
  /** Starts one more in-process worker (same database and prefix), with env overrides. */
  startWorker(env?: NodeJS.ProcessEnv): Promise<INestApplicationContext>;
  stopWorker(worker: INestApplicationContext): Promise<void>;
  stop(): Promise<void>;
}

export interface TestStackOptions {
  env?: NodeJS.ProcessEnv;
  /** In-process workers to start with the API. */
  workers?: number;
}

/** The API, in process, on a fresh database and Redis prefix of its own. */
export async function startTestStack(options: TestStackOptions = {}): Promise<TestStack> {
  const database = await createTestDatabase();
  const prefix = createTestQueuePrefix();
  const config = testAppConfig(database.url, prefix, options.env);
  const db = createDataSource({ url: database.url, poolSize: 4, applicationName: 'agentq-test' });
  await db.initialize();
  const log = new TestLog('stack');
  const api = await createApiApp(config, new TestLogLogger(log, config.log.level)).catch(
    (error: Error) => {
      throw new Error(`the API did not start: ${error.message}\n${log.describe()}`);
    },
  );
  await api.listen(0, '127.0.0.1');
  const http = new HttpClient((await api.getUrl()).replace('[::1]', '127.0.0.1'));
  const workers: INestApplicationContext[] = [];
  const startWorker = async (env: NodeJS.ProcessEnv = {}) => {
    const workerConfig = testAppConfig(database.url, prefix, { ...options.env, ...env });
    const worker = await createWorkerApp(
      workerConfig,
      new TestLogLogger(log, workerConfig.log.level),
    );
    workers.push(worker);
    return worker;
  };
  for (let i = 0; i < (options.workers ?? 0); i += 1) await startWorker();

  return {
    config,
    database,
    db,
    api,
    http,
    workers,
    log,
    adminToken: TEST_ADMIN_TOKEN,
    startWorker,
    async stopWorker(worker) {
      workers.splice(workers.indexOf(worker), 1);
      await worker.close();
    },
    async createTenant(name = 'test tenant') {
      const answer = await http.post('/v1/admin/tenants', { name }, TEST_ADMIN_TOKEN);
      if (answer.status !== 201)
        throw new Error(`tenant creation failed: ${JSON.stringify(answer.body)}`);
      return { id: answer.body.id, apiKey: answer.body.apiKey.key };
    },
    async stop() {
      await Promise.all(workers.splice(0).map((worker) => worker.close()));
      await api.close();
      await db.destroy();
      await database.drop();
      await deleteRedisKeys(prefix);
    },
  };
}
