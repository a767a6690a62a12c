import { INestApplicationContext } from '@nestjs/common';
import { version } from '../package.json';
import { WorkerRegistry } from '../apps/worker/src/registry/worker-registry.service';
import { WORKER_ID } from '../apps/worker/src/worker-identity';
import { AgentSetup, setUpAgent, waitFor, waitForTerminal } from './support/scenario';
import { startTestStack, TestStack } from './support/test-stack';

const HEARTBEAT_MS = 200;

describe('worker registry (GET /v1/workers)', () => {
  let stack: TestStack;
  let setup: AgentSetup;
  let worker: INestApplicationContext;

  const listWorkers = async () => {
    const answer = await stack.http.get('/v1/workers', stack.adminToken);
    expect(answer.status).toBe(200);
    return answer.body.data as Record<string, unknown>[];
  };
  const database = () => stack.db;

  beforeAll(async () => {
    stack = await startTestStack({
      env: { WORKER_HEARTBEAT_MS: String(HEARTBEAT_MS), WORKER_CONCURRENCY: '4' },
    });
    setup = await setUpAgent(stack);
    worker = await stack.startWorker();
  });

  afterAll(() => stack?.stop());

  it('lists a live worker with its host, pid, version, concurrency and jobs done', async () => {
    const [listed] = await listWorkers();
    expect(listed).toMatchObject({
      id: WORKER_ID,
      pid: process.pid,
      version,
      concurrency: 4,
      jobsCompleted: 0,
      jobsFailed: 0,
    });
    expect(typeof listed.host).toBe('string');
    expect(Date.parse(listed.lastHeartbeatAt as string)).toBeGreaterThanOrEqual(
      Date.parse(listed.startedAt as string),
    );

    const submitted = await stack.http.post(
      `/v1/agents/${setup.agentId}/executions`,
      { input: { message: 'count me' } },
      setup.tenant.apiKey,
    );
    await waitForTerminal(stack, setup.tenant.apiKey, submitted.body.id);
    await waitFor(
      async () => (await listWorkers())[0]?.jobsCompleted === 1,
      'the heartbeat to report the finished job',
    );
  });

  it('needs the admin token: a tenant API key learns nothing about hosts', async () => {
    expect((await stack.http.get('/v1/workers')).status).toBe(401);
    const asTenant = await stack.http.get('/v1/workers', setup.tenant.apiKey);
    expect(asTenant.status).toBe(401);
    expect(JSON.stringify(asTenant.body)).not.toContain(WORKER_ID);
  });

  it('ages out a worker that stopped heartbeating', async () => {
    await database().query(
      `INSERT INTO workers (id, host, pid, version, concurrency, started_at, last_heartbeat_at)
       VALUES ('gone:1:dead', 'gone', 1, '0.0.0', 1, now() - interval '1 hour',
               now() - interval '10 minutes')`,
    );
    expect((await listWorkers()).map((w) => w.id)).toEqual([WORKER_ID]);
    // The next heartbeat of a live worker deletes the stale row.
    await worker.get(WorkerRegistry).heartbeat();
    const left = await database().query(`SELECT id FROM workers ORDER BY id`);
    expect(left).toEqual([{ id: WORKER_ID }]);
  });

  it('a stopping worker removes its own row', async () => {
    await stack.stopWorker(worker);
    expect(await listWorkers()).toEqual([]);
    expect(await database().query(`SELECT id FROM workers`)).toEqual([]);
  });
});
