import { FaultFixture, startFaultFixture } from './support/fault-fixture';
import { FaultStack, Submitted, waitUntil } from './support/fault-stack';
import {
  collectFigures,
  expectLedgerExact,
  FULL_SCALE,
  reportFigures,
  seconds,
  waitForAllTerminal,
} from './support/ledger';
import { PrivatePostgres, startMigratedPrivatePostgres } from './support/private-postgres';
import { PrivateRedis } from './support/private-redis';
import { sleep } from './support/processes';

// Submissions per second that keep coming through every fault and every check.
const TRAFFIC_PER_SECOND = FULL_SCALE ? 50 : 15;
// The reconciler runs every 3 s here (grace 3 s): longer than the gap in submissions while
// Redis restarts, so no run finds nothing new.
const RECONCILER_ENV = { RECONCILER_INTERVAL_MS: '3000', RECONCILER_QUEUED_GRACE_MS: '3000' };
// Submissions due after the grace period + one interval: rows keep passing the grace period
// while still `queued` (as under a backlog, or with delayed submissions), so every reconciler
// run finds new rows to check.
const TRAFFIC_DELAY_MS = 8_000;
// Executions accepted just before each fault, so that it hits work queued and running.
const BACKLOG = FULL_SCALE ? 1_000 : 300;
// How long after the fault is over every execution accepted before it may take to end, with
// this suite's timings (reconciler every 3 s, grace 3 s, job locks 3 s, stalled check 1 s),
// on a shared 2-core machine: measured 4–19 s (docs/reliability.md).
const BOUND_MS = { redisEmpty: 45_000, postgresDown: 60_000, workerKilled: 60_000 };
const POSTGRES_OUTAGE_MS = 10_000;

// Batches every 200 ms until stopped; remembers what was accepted (202) and what was refused.
class SteadyTraffic {
  readonly accepted: Submitted[] = [];
  refused = 0;
  private running = true;
  private readonly loop: Promise<void>;

  constructor(
    private readonly stack: FaultStack,
    perSecond: number,
  ) {
    this.loop = this.run(Math.max(1, Math.round(perSecond / 5)));
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }

  private async run(perBatch: number): Promise<void> {
    for (let n = 0; this.running;) {
      const startedAt = Date.now();
      const markers = Array.from({ length: perBatch }, () => `traffic-${n++}`);
      const answer = await this.stack
        .submitBatch(markers, { delayMs: TRAFFIC_DELAY_MS })
        .catch(() => null);
      if (answer?.status === 202) {
        answer.body.data.forEach((execution: { id: string }, i: number) =>
          this.accepted.push({ id: execution.id, marker: markers[i] }),
        );
      } else {
        this.refused += markers.length;
      }
      await sleep(Math.max(0, 200 - (Date.now() - startedAt)));
    }
  }
}

// Redis restarted empty, PostgreSQL stopped for 10 s (full scale) and a worker killed, one
// after the other, while submissions keep coming at a steady rate: after each fault, every
// execution accepted before it must end within a stated bound while the submissions go on
// (they are stopped only for the final ledger, which counts everything accepted).
describe('fault: faults while submissions keep coming', () => {
  let redis: PrivateRedis;
  let postgres: PrivatePostgres | null = null;
  let fixture: FaultFixture;

  beforeAll(async () => {
    redis = new PrivateRedis();
    await redis.start();
    let databaseUrl: string | undefined;
    if (FULL_SCALE) {
      ({ postgres, databaseUrl } = await startMigratedPrivatePostgres());
    }
    fixture = await startFaultFixture({
      redisUrl: redis.url,
      databaseUrl,
      replyDelayMs: 100,
      env: RECONCILER_ENV,
    });
  }, 180_000);

  afterAll(async () => {
    await fixture?.teardown();
    await redis?.stop();
    await postgres?.destroy();
  }, 60_000);

  it('every accepted execution ends within the bound, measured while submissions continue', async () => {
    const { stack, dataSource } = fixture;
    // One worker (one reconciler cursor) until Redis is back; two more join after.
    await stack.startWorker({ WORKER_CONCURRENCY: FULL_SCALE ? '100' : '20' });
    const traffic = new SteadyTraffic(stack, TRAFFIC_PER_SECOND);
    const backlogs: Submitted[] = [];
    const endedIn: Record<string, string> = {};
    const acceptedSoFar = () => [...backlogs, ...traffic.accepted].map((execution) => execution.id);
    // The executions `ids` end within the phase's bound of `since`, traffic going on.
    const allEndWithin = async (phase: keyof typeof BOUND_MS, ids: string[], since: number) => {
      await waitForAllTerminal(dataSource, ids, BOUND_MS[phase] - (Date.now() - since)).catch(
        async (error: Error) => {
          const open = await dataSource.query(
            `SELECT status, count(*)::int AS n FROM agent_executions
              WHERE id = ANY($1::uuid[]) AND status IN ('queued', 'running') GROUP BY 1`,
            [ids],
          );
          const requeued = stack.workers
            .map((worker) => worker.output())
            .join('\n')
            .match(/queued but its job was missing/g);
          throw new Error(
            `${phase}: ${error.message}; still open: ${JSON.stringify(open)}; ` +
              `requeued by the reconciler: ${requeued?.length ?? 0}`,
          );
        },
      );
      endedIn[phase] = seconds(Date.now() - since);
    };
    try {
      await sleep(2_000);

      // Redis loses everything, among it the jobs of executions accepted well before (due
      // after the loss), whose rows the reconciler had already checked while submissions went on.
      backlogs.push(...(await stack.submit(BACKLOG, { tag: 'redis-backlog', delayMs: 12_000 })));
      const dueAt = Date.now() + 12_000;
      await sleep(8_000);
      const beforeRedisLoss = acceptedSoFar();
      await redis.kill();
      redis.wipeData();
      await redis.start();
      await allEndWithin('redisEmpty', beforeRedisLoss, Math.max(Date.now(), dueAt));
      for (let i = 0; i < 2; i += 1) await stack.startWorker({ WORKER_CONCURRENCY: '20' });

      if (postgres) {
        backlogs.push(...(await stack.submit(BACKLOG, { tag: 'pg-backlog' })));
        const beforeOutage = acceptedSoFar();
        await postgres.stop();
        await sleep(POSTGRES_OUTAGE_MS);
        await postgres.start();
        await allEndWithin('postgresDown', beforeOutage, Date.now());
      }

      const killBacklog = await stack.submit(BACKLOG, { tag: 'kill-backlog' });
      backlogs.push(...killBacklog);
      await waitUntil(
        async () => {
          const [{ running }] = await dataSource.query(
            `SELECT count(*)::int AS running FROM agent_executions
              WHERE id = ANY($1::uuid[]) AND status = 'running'`,
            [killBacklog.map((execution) => execution.id)],
          );
          return running > 0;
        },
        'the backlog to be running',
        30_000,
        20,
      );
      const victim = stack.liveWorkers()[0];
      const beforeKill = acceptedSoFar();
      victim.signal('SIGKILL');
      await victim.exited;
      const killedAt = Date.now();
      await stack.startWorker({ WORKER_CONCURRENCY: '20' });
      await allEndWithin('workerKilled', beforeKill, killedAt);
    } finally {
      await traffic.stop();
    }

    const accepted = [...backlogs, ...traffic.accepted];
    await waitForAllTerminal(
      dataSource,
      accepted.map((execution) => execution.id),
      120_000,
    );
    const figures = await collectFigures(dataSource, fixture.fake, accepted);
    reportFigures('faults while submissions keep coming', figures, {
      trafficPerSecond: TRAFFIC_PER_SECOND,
      trafficAccepted: traffic.accepted.length,
      trafficRefused: traffic.refused,
      ...Object.fromEntries(
        Object.entries(endedIn).map(([phase, time]) => [`${phase}EndedIn`, time]),
      ),
      stalled: fixture.stalled.count,
    });
    expectLedgerExact(figures);
    expect(figures.byStatus).toEqual({ succeeded: accepted.length });
  }, 600_000);
});
