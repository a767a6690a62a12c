import { FaultFixture, startFaultFixture } from './support/fault-fixture';
import { Submitted, waitUntil } from './support/fault-stack';
import {
  collectFigures,
  countTerminal,
  expectLedgerExact,
  FULL_SCALE,
  reportFigures,
  seconds,
  timeUntilProgress,
  waitForAllTerminal,
} from './support/ledger';
import { PrivateRedis } from './support/private-redis';
import { sleep } from './support/processes';

// A redis-server of the test's own (AOF, appendfsync everysec), killed with SIGKILL mid-run and
// started again on the same port and data: up to a second of queue writes may be gone (jobs
// added, jobs completed). The API and the workers are not restarted.
describe('fault: Redis killed and restarted mid-run', () => {
  let redis: PrivateRedis;
  let fixture: FaultFixture;

  beforeAll(async () => {
    redis = new PrivateRedis();
    await redis.start();
    fixture = await startFaultFixture({ redisUrl: redis.url, replyDelayMs: 100 });
  }, 120_000);

  afterAll(async () => {
    await fixture?.teardown();
    await redis?.stop();
  }, 60_000);

  it('the API answers 503 fast while Redis is down; afterwards everything ends, once', async () => {
    const { stack, dataSource } = fixture;
    for (let i = 0; i < 3; i += 1) await stack.startWorker({ WORKER_CONCURRENCY: '30' });
    const total = FULL_SCALE ? 4_000 : 1_500;
    const accepted: Submitted[] = await stack.submit(total, { tag: 'redis' });
    const ids = () => accepted.map((execution) => execution.id);
    await waitUntil(
      async () => (await countTerminal(dataSource, ids())) >= total * 0.15,
      'the run to be under way',
      60_000,
    );

    await redis.kill();
    const downAt = Date.now();
    const probes: { status: number; ms: number }[] = [];
    const outageMs = 5_000;
    while (Date.now() - downAt < outageMs) {
      const sentAt = Date.now();
      const answer = await stack.submitOne(`redis-down-${probes.length}`);
      probes.push({ status: answer.status, ms: Date.now() - sentAt });
      await sleep(500);
    }
    await redis.start();
    const upAt = Date.now();
    // Calls in flight when Redis died could still be recorded: count from here.
    const resumed = timeUntilProgress(
      dataSource,
      ids,
      await countTerminal(dataSource, ids()),
      120_000,
    );

    // Submissions are taken again as soon as the API's connection is back.
    let acceptedAgainMs = 0;
    await waitUntil(
      async () => {
        const answer = await stack.submitOne(`redis-up-${acceptedAgainMs}`);
        if (answer.status !== 202) return false;
        accepted.push({ id: answer.body.id, marker: `redis-up-${acceptedAgainMs}` });
        acceptedAgainMs = Date.now() - upAt;
        return true;
      },
      'the API to accept submissions again',
      60_000,
      200,
    );
    await waitForAllTerminal(dataSource, ids(), 240_000);
    const recoveryMs = Date.now() - upAt;
    const resumedMs = await resumed;

    const figures = await collectFigures(dataSource, fixture.fake, accepted);
    const slowest503 = Math.max(...probes.map((probe) => probe.ms));
    reportFigures('Redis SIGKILLed mid-run, restarted from AOF after 5 s', figures, {
      probesWhileDown: probes.length,
      statusesWhileDown: [...new Set(probes.map((probe) => probe.status))].join(','),
      slowest503: `${slowest503}ms`,
      acceptingAgainAfter: seconds(acceptedAgainMs),
      stalled: fixture.stalled.count,
      recovery: `resumed ${seconds(resumedMs)}, all ended ${seconds(recoveryMs)} after Redis was back`,
    });
    expect(probes.every((probe) => probe.status === 503)).toBe(true);
    expect(slowest503).toBeLessThan(3_000);
    expectLedgerExact(figures);
    expect(figures.byStatus).toEqual({ succeeded: accepted.length });
  }, 600_000);

  it('Redis comes back empty (no persistence): the reconciler re-enqueues from PostgreSQL', async () => {
    const { stack, dataSource } = fixture;
    const stalledBefore = fixture.stalled.count;
    const total = FULL_SCALE ? 3_000 : 1_000;
    const accepted: Submitted[] = await stack.submit(total, { tag: 'redis-empty' });
    const ids = accepted.map((execution) => execution.id);
    await waitUntil(
      async () => (await countTerminal(dataSource, ids)) >= total * 0.15,
      'the run to be under way',
      60_000,
    );
    await redis.kill();
    redis.wipeData();
    await redis.start();
    const upAt = Date.now();
    const [{ open }] = await dataSource.query(
      `SELECT count(*)::int AS open FROM agent_executions
        WHERE id = ANY($1::uuid[]) AND status IN ('queued', 'running')`,
      [ids],
    );
    await waitForAllTerminal(dataSource, ids, 240_000);
    const recoveryMs = Date.now() - upAt;

    const figures = await collectFigures(dataSource, fixture.fake, accepted);
    const reconcilerLines = stack.workers
      .map((worker) => worker.output())
      .join('\n')
      .match(/queued but its job was missing|no live job lock/g);
    reportFigures('Redis restarted empty (all queue data lost) mid-run', figures, {
      unfinishedAtLoss: open,
      reconcilerActions: reconcilerLines?.length ?? 0,
      stalled: fixture.stalled.count - stalledBefore,
      recovery: `${seconds(recoveryMs)} (Redis back to all ended)`,
    });
    expect(reconcilerLines?.length ?? 0).toBeGreaterThan(0);
    expectLedgerExact(figures);
    expect(figures.byStatus).toEqual({ succeeded: accepted.length });
  }, 600_000);
});
