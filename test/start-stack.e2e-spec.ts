import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createEmptyTestDatabase,
  createTestQueuePrefix,
  deleteRedisKeys,
  testServices,
  TestDatabase,
} from '@agentq/testing';
import { findExecutable } from '../apps/cli/src/stack/local-redis';
import { findFreePort, isPortFree } from '../apps/cli/src/stack/network';
import { REPO_ROOT, RunningProcess, startProcess } from './support/child-process';
import { HttpClient } from './support/http-client';
import {
  LocalRedisCluster,
  LocalRedisSentinel,
  redisServerAvailable,
} from './support/local-redis-servers';

// `npm start` itself: the built start-stack supervising migrate, the API and a worker, as a
// developer runs it. Variables are passed explicitly (empty = unset) so a developer's .env
// cannot change what is tested.

const START_STACK = 'dist/apps/cli/src/start-stack.js';
const BANNER = /Press Ctrl-C to stop everything/;

const apiKeyIn = (output: string) => /API key +(\S+)/.exec(output)?.[1];
const pidOf = (output: string, name: string) =>
  Number(new RegExp(`${name} started \\(pid (\\d+)\\)`).exec(output)?.[1]);

async function stopWith(run: RunningProcess, signal: NodeJS.Signals) {
  run.child.kill(signal);
  return run.exited;
}

describe('npm start (start-stack)', () => {
  let database: TestDatabase;
  let prefix: string;
  const dataDirs: string[] = [];

  const newDataDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'agentq-stack-'));
    // Run as root, the embedded PostgreSQL works as the postgres user, which must get in.
    chmodSync(dir, 0o755);
    dataDirs.push(dir);
    return dir;
  };

  beforeAll(async () => {
    if (!existsSync(join(REPO_ROOT, START_STACK))) {
      throw new Error(`${START_STACK} is missing: run npm run build first (npm test does)`);
    }
    database = await createEmptyTestDatabase();
    prefix = createTestQueuePrefix();
  });

  afterAll(async () => {
    await database?.drop();
    if (prefix) await deleteRedisKeys(prefix);
    for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
  });

  describe('with DATABASE_URL and REDIS_URL', () => {
    let dataDir: string;
    let port: number;
    let env: NodeJS.ProcessEnv;
    let firstKey: string | undefined;

    beforeAll(async () => {
      dataDir = newDataDir();
      port = await findFreePort();
      env = {
        DATABASE_URL: database.url,
        REDIS_URL: testServices.redisUrl(),
        QUEUE_PREFIX: prefix,
        PORT: String(port),
        AGENTQ_DEV_DATA_DIR: dataDir,
        AGENTQ_ADMIN_TOKEN: '',
        AGENTQ_MASTER_KEY: '',
        METRICS_PORT: '0', // suites run in parallel: no fixed worker metrics port
        LOG_LEVEL: 'warn',
      };
    });

    it('migrates, starts the API and a worker, creates a tenant, and stops on SIGTERM', async () => {
      const stack = startProcess(START_STACK, env);
      try {
        await stack.waitForOutput(BANNER, 120_000);
      } catch (error) {
        stack.child.kill('SIGKILL');
        throw error;
      }
      const output = stack.output();
      expect(output).toContain('migrate: applied');

      const secrets = JSON.parse(readFileSync(join(dataDir, 'dev-secrets.json'), 'utf8'));
      expect(secrets.adminToken).toMatch(/.{16,}/);
      expect(Buffer.from(secrets.masterKey, 'base64')).toHaveLength(32);
      expect(output).toContain(`Admin token  ${secrets.adminToken}`);
      firstKey = apiKeyIn(output);
      expect(firstKey).toBe(secrets.tenant.apiKey);
      expect(output).toContain(`http://localhost:${port}/docs`);
      expect(output).toContain(`Runtime      Node.js ${process.version}`);
      expect(output).toContain(`curl -H "Authorization: Bearer ${firstKey}"`);

      // The README's walk-through, through the processes start-stack started.
      const http = new HttpClient(`http://127.0.0.1:${port}`);
      const key = firstKey as string;
      expect((await http.get('/health/ready')).status).toBe(200);
      const provider = await http.post(
        '/v1/providers',
        { name: 'local-echo', type: 'echo', isDefault: true },
        key,
      );
      expect(provider.status).toBe(201);
      const agent = await http.post(
        '/v1/agents',
        {
          name: 'researcher',
          role: 'Research assistant',
          goal: 'Answer briefly',
          llmConfig: { model: 'echo-1' },
        },
        key,
      );
      expect(agent.status).toBe(201);
      const execution = await http.post(
        `/v1/agents/${agent.body.id}/executions`,
        { input: { message: 'hello' }, wait: 20 },
        key,
      );
      expect(execution.status).toBe(200);
      expect(execution.body).toMatchObject({ status: 'succeeded' });
      const stats = await http.get(`/v1/agents/${agent.body.id}/stats`, key);
      expect(stats.body).toMatchObject({ totalExecutions: 1, successfulExecutions: 1 });

      expect(await stopWith(stack, 'SIGTERM')).toEqual({ code: 0, signal: null });
      const stopped = stack.output();
      expect(stopped.indexOf('api stopped')).toBeLessThan(stopped.indexOf('worker stopped'));
      expect(stopped).toMatch(/\[stack\]\s+stopped/);
      expect(await isPortFree(port)).toBe(true);
    }, 150_000);

    it('prints the same key on the next run, and stops everything when a child dies', async () => {
      const stack = startProcess(START_STACK, env);
      try {
        await stack.waitForOutput(BANNER, 120_000);
      } catch (error) {
        stack.child.kill('SIGKILL');
        throw error;
      }
      expect(stack.output()).toContain('migrate: schema is up to date');
      expect(stack.output()).not.toContain('created the development tenant');
      expect(apiKeyIn(stack.output())).toBe(firstKey);

      process.kill(pidOf(stack.output(), 'worker'), 'SIGKILL');
      expect(await stack.exited).toEqual({ code: 1, signal: null });
      expect(stack.output()).toMatch(/worker exited unexpectedly \(killed by SIGKILL\)/);
      expect(stack.output()).toMatch(/api stopped/);
      expect(await isPortFree(port)).toBe(true);
    }, 150_000);
  });

  it('explains how to get Redis when redis-server is missing', async () => {
    const stack = startProcess(START_STACK, {
      PATH: newDataDir(), // an empty directory: no redis-server on this PATH
      DATABASE_URL: database.url,
      REDIS_URL: '',
      AGENTQ_DEV_DATA_DIR: newDataDir(),
    });
    expect(await stack.exited).toEqual({ code: 1, signal: null });
    expect(stack.output()).toContain('redis-server was not found on PATH');
    expect(stack.output()).toContain('apt-get install redis-server');
    expect(stack.output()).toContain('brew install redis');
    expect(stack.output()).toContain('REDIS_URL');
  });

  it('stops at boot, naming the variable, when REDIS_CLUSTER_NODES is malformed', async () => {
    const stack = startProcess(START_STACK, {
      DATABASE_URL: database.url,
      REDIS_URL: '',
      REDIS_CLUSTER_NODES: '127.0.0.1', // no port
      QUEUE_PREFIX: '{agentq}',
      AGENTQ_DEV_DATA_DIR: newDataDir(),
    });
    expect(await stack.exited).toEqual({ code: 1, signal: null });
    expect(stack.output()).toContain('REDIS_CLUSTER_NODES');
    expect(stack.output()).toContain('host:port');
    expect(stack.output()).not.toContain('started (pid');
  });

  const clusterAvailable = redisServerAvailable();
  if (!clusterAvailable) {
    process.stdout.write(
      'start-stack.e2e-spec: cluster case SKIPPED — redis-server is not on PATH (apt-get install redis-server)\n',
    );
  }
  (clusterAvailable ? describe : describe.skip)('with REDIS_CLUSTER_NODES', () => {
    const cluster = new LocalRedisCluster();

    beforeAll(() => cluster.start(3), 60_000);
    afterAll(() => cluster.stop(), 30_000);

    it('uses the cluster, not a redis-server of its own, and runs an execution', async () => {
      const port = await findFreePort();
      const nodes = cluster.addresses.join(',');
      const clusterDatabase = await createEmptyTestDatabase();
      const stack = startProcess(START_STACK, {
        DATABASE_URL: clusterDatabase.url,
        REDIS_URL: '',
        REDIS_CLUSTER_NODES: nodes,
        REDIS_PASSWORD: '',
        QUEUE_PREFIX: '{agentq-stack}',
        PORT: String(port),
        AGENTQ_DEV_DATA_DIR: newDataDir(),
        AGENTQ_ADMIN_TOKEN: '',
        AGENTQ_MASTER_KEY: '',
        METRICS_PORT: '0',
        LOG_LEVEL: 'warn',
      });
      try {
        await stack.waitForOutput(BANNER, 120_000);
        const output = stack.output();
        expect(output).toContain(`cluster ${nodes}  (REDIS_CLUSTER_NODES, prefix {agentq-stack})`);
        expect(output).not.toMatch(/redis started/);

        const http = new HttpClient(`http://127.0.0.1:${port}`);
        const key = apiKeyIn(output) as string;
        await http.post('/v1/providers', { name: 'echo', type: 'echo', isDefault: true }, key);
        const agent = await http.post(
          '/v1/agents',
          { name: 'a', role: 'r', goal: 'g', llmConfig: { model: 'echo-1' } },
          key,
        );
        expect(agent.status).toBe(201);
        const execution = await http.post(
          `/v1/agents/${agent.body.id}/executions`,
          { input: { message: 'through the cluster' }, wait: 20 },
          key,
        );
        expect(execution.body).toMatchObject({ status: 'succeeded' });
        // The queue's keys are on the cluster, under the queue's own hash tag.
        const keys = [...(await cluster.keysByNode()).values()].flat();
        expect(keys.some((k) => k.startsWith('{agentq-stack:'))).toBe(true);

        expect(await stopWith(stack, 'SIGTERM')).toEqual({ code: 0, signal: null });
      } finally {
        stack.child.kill('SIGKILL');
        await clusterDatabase.drop();
      }
    }, 150_000);
  });

  (clusterAvailable ? describe : describe.skip)('with REDIS_SENTINELS', () => {
    const sentinel = new LocalRedisSentinel();

    beforeAll(() => sentinel.start(), 60_000);
    afterAll(() => sentinel.stop(), 30_000);

    it('finds the master through the Sentinel and says so in the banner', async () => {
      const port = await findFreePort();
      const stack = startProcess(START_STACK, {
        DATABASE_URL: database.url,
        REDIS_URL: '',
        REDIS_SENTINELS: sentinel.sentinels,
        REDIS_SENTINEL_MASTER: sentinel.masterName,
        QUEUE_PREFIX: `${prefix}-sentinel`,
        PORT: String(port),
        AGENTQ_DEV_DATA_DIR: newDataDir(),
        AGENTQ_ADMIN_TOKEN: '',
        AGENTQ_MASTER_KEY: '',
        METRICS_PORT: '0',
        LOG_LEVEL: 'warn',
      });
      try {
        await stack.waitForOutput(BANNER, 120_000);
        expect(stack.output()).toContain(
          `sentinel ${sentinel.sentinels}, master ${sentinel.masterName}  (REDIS_SENTINELS)`,
        );
        expect(stack.output()).not.toMatch(/redis started/);
        expect((await fetch(`http://127.0.0.1:${port}/health/ready`)).status).toBe(200);
        expect(await stopWith(stack, 'SIGTERM')).toEqual({ code: 0, signal: null });
      } finally {
        stack.child.kill('SIGKILL');
      }
    }, 150_000);
  });

  const withRedisServer = findExecutable('redis-server') ? it : it.skip;
  withRedisServer(
    'runs an embedded PostgreSQL and a redis-server when no URLs are given',
    async () => {
      const dataDir = newDataDir();
      const [port, postgresPort, redisPort] = [
        await findFreePort(),
        await findFreePort(),
        await findFreePort(),
      ];
      const stack = startProcess(START_STACK, {
        DATABASE_URL: '',
        REDIS_URL: '',
        PORT: String(port),
        AGENTQ_DEV_DATA_DIR: dataDir,
        AGENTQ_DEV_POSTGRES_PORT: String(postgresPort),
        AGENTQ_DEV_REDIS_PORT: String(redisPort),
        AGENTQ_ADMIN_TOKEN: '',
        AGENTQ_MASTER_KEY: '',
        METRICS_PORT: '0',
        LOG_LEVEL: 'warn',
      });
      try {
        await stack.waitForOutput(BANNER, 120_000);
      } catch (error) {
        stack.child.kill('SIGKILL');
        throw error;
      }
      expect(stack.output()).toContain(`@127.0.0.1:${postgresPort}/agentq  (embedded, data in`);
      expect(stack.output()).toContain(`redis://127.0.0.1:${redisPort}  (redis-server, data in`);
      expect(existsSync(join(dataDir, 'postgres', 'PG_VERSION'))).toBe(true);
      expect(existsSync(join(dataDir, 'redis'))).toBe(true);
      expect(apiKeyIn(stack.output())).toMatch(/\S{20,}/);
      expect((await fetch(`http://127.0.0.1:${port}/health/ready`)).status).toBe(200);

      expect(await stopWith(stack, 'SIGINT')).toEqual({ code: 0, signal: null });
      const output = stack.output();
      const order = ['api stopped', 'worker stopped', 'redis stopped', 'postgres stopped'].map(
        (line) => output.indexOf(line),
      );
      expect(order.every((index) => index > 0)).toBe(true);
      expect([...order].sort((a, b) => a - b)).toEqual(order);
      for (const freed of [port, postgresPort, redisPort])
        expect(await isPortFree(freed)).toBe(true);
    },
    150_000,
  );
});
