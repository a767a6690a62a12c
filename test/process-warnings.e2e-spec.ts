import { TEST_ADMIN_TOKEN } from '@agentq/testing';
import { startApiProcess, useBuiltProcessEnv } from './support/api-process';
import { startTestStack } from './support/test-stack';

// What the libraries print when they are misused: each one a defect in agentq, not in them.
const PG_CONCURRENT_QUERIES = /already executing a query/;
const TYPEORM_DUPLICATE_DATA_SOURCE = /data source with the \S+ name is already registered/;

// Booted and used as an operator would, agentq's processes print no library warnings.
describe('library warnings in the built processes', () => {
  const builtEnv = useBuiltProcessEnv();

  it('the API boots and answers the usage endpoints without a TypeORM or pg warning', async () => {
    const api = await startApiProcess(builtEnv());
    try {
      const tenant = await api.http.post('/v1/admin/tenants', { name: 't' }, TEST_ADMIN_TOKEN);
      const key = tenant.body.apiKey.key;
      await api.http.post('/v1/providers', { name: 'echo', type: 'echo', isDefault: true }, key);
      const agent = await api.http.post(
        '/v1/agents',
        { name: 'a', role: 'r', llmConfig: { model: 'echo-1' } },
        key,
      );
      for (const path of [`/v1/agents/${agent.body.id}/stats`, '/v1/usage']) {
        expect((await api.http.get(path, key)).status).toBe(200);
      }
    } finally {
      api.process.child.kill('SIGTERM');
      await api.process.exited;
    }
    expect(api.process.output()).not.toMatch(PG_CONCURRENT_QUERIES);
    expect(api.process.output()).not.toMatch(TYPEORM_DUPLICATE_DATA_SOURCE);
  });

  it('the API and two workers in one process boot and serve without a TypeORM warning', async () => {
    const stack = await startTestStack({ workers: 2 });
    try {
      expect((await stack.http.get('/health/ready')).status).toBe(200);
      const tenant = await stack.createTenant();
      expect((await stack.http.get('/v1/usage', tenant.apiKey)).status).toBe(200);
    } finally {
      await stack.stop();
    }
    expect(stack.log.text()).not.toMatch(TYPEORM_DUPLICATE_DATA_SOURCE);
  });
});
