import { INestApplication } from '@nestjs/common';
import { AppConfig } from '@agentq/config';
import {
  createTestDatabase,
  createTestQueuePrefix,
  deleteRedisKeys,
  TEST_ADMIN_TOKEN,
  testAppConfig,
  TestDatabase,
} from '@agentq/testing';
import { createApiApp } from '../../apps/api/src/create-api-app';
import { HttpClient } from './http-client';

export interface TestTenant {
  id: string;
  apiKey: string;
}

export interface TestStack {
  config: AppConfig;
  database: TestDatabase;
  api: INestApplication;
  http: HttpClient;
  adminToken: string;
  createTenant(name?: string): Promise<TestTenant>;
  stop(): Promise<void>;
}

export interface TestStackOptions {
  env?: NodeJS.ProcessEnv;
}

/** The API, in process, on a fresh database and Redis prefix of its own. */
export async function startTestStack(options: TestStackOptions = {}): Promise<TestStack> {
  const database = await createTestDatabase();
  const prefix = createTestQueuePrefix();
  const config = testAppConfig(database.url, prefix, options.env);
  const api = await createApiApp(config);
  await api.listen(0, '127.0.0.1');
  const http = new HttpClient((await api.getUrl()).replace('[::1]', '127.0.0.1'));

  return {
    config,
    database,
    api,
    http,
    adminToken: TEST_ADMIN_TOKEN,
    async createTenant(name = 'test tenant') {
      const answer = await http.post('/v1/admin/tenants', { name }, TEST_ADMIN_TOKEN);
      if (answer.status !== 201) throw new Error(`tenant creation failed: ${JSON.stringify(answer.body)}`);
      return { id: answer.body.id, apiKey: answer.body.apiKey.key };
    },
    async stop() {
      await api.close();
      await database.drop();
      await deleteRedisKeys(prefix);
    },
  };
}
