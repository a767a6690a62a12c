import { createDataSource } from '@agentq/database';
import { createTestDatabase, seedEchoAgent, TestDatabase } from '@agentq/testing';
import { DataSource } from 'typeorm';
import { ClaimedExecution } from '../store/claimed-execution';
import { LifecycleAnnouncer } from '../streams/lifecycle-announcer.service';
import { ExecutionClaims } from './execution-claims.service';

type Row = { status: string; attempts: number; worker_id: string | null; error: unknown };

// A worker that lost its job lock still holds its attempt: it must not move the row.
describe('ExecutionClaims with a stale attempt', () => {
  let database: TestDatabase;
  let dataSource: DataSource;
  let app: DataSource;
  let claims: ExecutionClaims;
  let tenantId: string;
  let agentId: string;

  beforeAll(async () => {
    database = await createTestDatabase();
    dataSource = createDataSource({ url: database.url, poolSize: 2 });
    app = createDataSource({ url: database.url, poolSize: 2, role: 'agentq_app' });
    await Promise.all([dataSource.initialize(), app.initialize()]);
    const announcer = { retrying: () => undefined } as unknown as LifecycleAnnouncer;
    claims = new ExecutionClaims(app, announcer);
    ({ tenantId, agentId } = await seedEchoAgent(dataSource));
  });

  afterAll(async () => {
    await Promise.all([dataSource.destroy(), app.destroy()]);
    await database.drop();
  });

  // Worker A's attempt, then worker B's claim of the same job after A's lock expired.
  async function takenOver(): Promise<{ stale: ClaimedExecution; id: string }> {
    const [{ id }] = await dataSource.query(
      `INSERT INTO agent_executions (tenant_id, agent_id, input)
       VALUES ($1, $2, '{"message":"hi"}') RETURNING id`,
      [tenantId, agentId],
    );
    const stale = (await claims.claim(id, tenantId, 'worker-a'))!;
    expect(await claims.claim(id, tenantId, 'worker-b')).toMatchObject({ attempts: 2 });
    return { stale, id };
  }

  const row = async (id: string): Promise<Row> =>
    (
      await dataSource.query(
        `SELECT status, attempts, worker_id, error FROM agent_executions WHERE id = $1`,
        [id],
      )
    )[0];

  const ownedByB = { status: 'running', attempts: 2, worker_id: 'worker-b', error: null };

  it('release (shutdown) by the stale attempt leaves the new owner running', async () => {
    const { stale, id } = await takenOver();
    expect(await claims.release(stale)).toBe(false);
    expect(await row(id)).toEqual(ownedByB);
  });

  it('releaseUnattempted (a deferral) by the stale attempt leaves the new owner running', async () => {
    const { stale, id } = await takenOver();
    expect(await claims.releaseUnattempted(stale)).toBe(false);
    expect(await row(id)).toEqual(ownedByB);
  });

  it('markRetrying by the stale attempt leaves the new owner running', async () => {
    const { stale, id } = await takenOver();
    expect(await claims.markRetrying(stale, { code: 'x', message: 'x' })).toBe(false);
    expect(await row(id)).toEqual(ownedByB);
  });

  it('the current attempt still releases, defers and retries', async () => {
    const { id } = await takenOver();
    const current = (await claims.claim(id, tenantId, 'worker-c'))!;
    expect(await claims.markRetrying(current, { code: 'x', message: 'x' })).toBe(true);
    const next = (await claims.claim(id, tenantId, 'worker-c'))!;
    expect(await claims.releaseUnattempted(next)).toBe(true);
    const last = (await claims.claim(id, tenantId, 'worker-c'))!;
    expect(await claims.release(last)).toBe(true);
    expect(await row(id)).toMatchObject({ status: 'queued', attempts: 4 });
  });
});
